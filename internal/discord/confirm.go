package discord

import (
	"context"

	"placementbot/internal/placement"
)

// registerConfirm adds the position card's Still open button: a mentor's answer to the DM that
// asks whether a position not confirmed for a month is still open. DMs cannot carry buttons
// that reach a guild, so the DM sends the mentor to the card through /positions mine.
func registerConfirm(rs *Routes, d Deps) {
	rs.UpdateComponent("/position/{id}/confirm", placement.RoleMentor, confirmHandlers{svc: d.Service}.confirm)
}

// confirmHandlers serve the Still open button.
type confirmHandlers struct {
	svc *placement.Service
}

// confirm records that the position is still open and shows its card as it is now. The id is
// client text; the service checks that the member mentors for the position. Pressing twice
// confirms twice, which leaves the position as one press does.
func (h confirmHandlers) confirm(ctx context.Context, r *Request) (*Reply, error) {
	id, ok := parsePositionID(r.Vars["id"])
	if !ok {
		return nil, placement.Errorf(placement.EINVALID, "err.stale_component", nil)
	}
	p, err := h.svc.ConfirmPosition(ctx, r.Actor, id)
	if err != nil {
		return nil, postingPositionErr(r, err)
	}
	reply := positionCard(r, p)
	reply.Content = r.T("jobs.confirmed", map[string]any{
		"Title": asLiteral(Truncate(p.Title, 100)),
		"Next":  placement.NextConfirmation(h.svc.Now()).Format(placement.DateLayout),
	})
	return reply, nil
}
