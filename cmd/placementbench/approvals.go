package main

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/jackc/pgx/v5/pgxpool"
)

// coordinatorRoleID is the benchmark school's coordinator role.
const coordinatorRoleID = "950000000000000011"

// seedAccepted gives every slot of `positions` open positions an accepted offer from a new
// student, so coordinators have that many approvals to make; neither the checklist nor the
// intern quota stands in the way (their refusals are tested elsewhere, here they would only
// shorten the work).
func seedAccepted(ctx context.Context, pool *pgxpool.Pool, positions int) ([]int64, error) {
	_, err := pool.Exec(ctx, fmt.Sprintf(`DO $$
BEGIN
	UPDATE guilds SET coordinator_role_id = '%[1]s', checklist = '{}', intern_quota_percent = 100 WHERE guild_id = '%[2]s';
	INSERT INTO applications (guild_id, position_id, student_id, status, motivation, updated_at)
	SELECT '%[2]s', p.id, (850000000000000000 + p.id * 10 + k)::text, 'accepted', 'Benchmark offer.', now()
	FROM positions p, generate_series(1, p.slots) k
	WHERE p.guild_id = '%[2]s' AND p.status = 'open' AND p.taken = 0 AND p.id <= %[3]d * 10 AND p.id %% 10 = 1;
	UPDATE positions p SET taken = p.slots
	WHERE p.guild_id = '%[2]s' AND p.status = 'open' AND p.taken = 0 AND p.id <= %[3]d * 10 AND p.id %% 10 = 1;
END $$`, coordinatorRoleID, guildID, positions))
	if err != nil {
		return nil, fmt.Errorf("seed accepted offers: %w", err)
	}
	rows, err := pool.Query(ctx, `SELECT id FROM applications WHERE guild_id = $1 AND status = 'accepted' ORDER BY position_id, id`, guildID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// approvalStorm approves every accepted offer from `workers` concurrent clients, each offer
// pressed by two coordinators at once and the offers of one position one after another: the
// contended case (approvals of one enterprise serialize on its row).
func approvalStorm(ctx context.Context, c *client, apps []int64, workers int) (approved, already int, elapsed time.Duration, lat []time.Duration, errs int, first string) {
	var mu sync.Mutex
	var next atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				n := next.Add(1) - 1
				if n >= int64(len(apps)*2) {
					return
				}
				app := apps[n/2]
				// Each press by a different coordinator of a large school, so the per-member rate
				// limit does not stand in for contention.
				coord := strconv.FormatInt(830000000000000000+n, 10)
				body := componentBy(coord, coordinatorRoleID, "/approval/"+strconv.FormatInt(app, 10)+"/approve")
				t0 := time.Now()
				out, err := c.post(ctx, body)
				d := time.Since(t0)
				mu.Lock()
				lat = append(lat, d)
				switch {
				case err == nil && strings.Contains(string(out), "Approved #"):
					approved++
				case err == nil && strings.Contains(string(out), "Already done"):
					already++
				default:
					errs++
					if first == "" {
						first = fmt.Sprintf("%v %.300s", err, out)
					}
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	return approved, already, time.Since(start), lat, errs, first
}

// componentBy is a button press by a member holding one role.
func componentBy(userID, roleID, customID string) []byte {
	return interactionAs(userID, roleID, discordgo.InteractionMessageComponent, map[string]any{"custom_id": customID, "component_type": 2})
}
