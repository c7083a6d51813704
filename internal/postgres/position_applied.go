package postgres

import (
	"context"

	"placementbot/internal/placement"
)

// StudentApplicationsTo returns the student's application to each of the positions that has
// one, by position id, in one query for a whole page of positions. Where a student has several
// applications to one position, the newest stands.
func (s *Store) StudentApplicationsTo(ctx context.Context, guildID, studentID string, positionIDs []int64) (map[int64]placement.Application, error) {
	out := map[int64]placement.Application{}
	if len(positionIDs) == 0 {
		return out, nil
	}
	rows, err := s.pool.Query(ctx, `
		SELECT `+applicationColumns+applicationFrom+`
		WHERE a.guild_id = $1 AND a.student_id = $2 AND a.position_id = ANY($3)
		ORDER BY a.id`, guildID, studentID, positionIDs)
	if err != nil {
		return nil, wrap("find applications to positions", err)
	}
	apps, err := collectApplications(rows)
	if err != nil {
		return nil, wrap("find applications to positions", err)
	}
	for _, a := range apps {
		out[a.PositionID] = a
	}
	return out, nil
}
