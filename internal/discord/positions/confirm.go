package positions

import (
	"context"

	"placementbot/internal/discord"
	"placementbot/internal/discord/ui"
	"placementbot/internal/placement"
)

// registerConfirm adds the position card's Still open button: a mentor's answer to the DM that
// asks whether a position not confirmed for a month is still open. DMs cannot carry buttons
// that reach a guild, so the DM sends the mentor to the card through /positions mine.
func registerConfirm(rs *discord.Routes, svc *placement.Service) {
	rs.UpdateComponent("/position/{id}/confirm", placement.RoleMentor, confirmHandlers{svc: svc}.confirm)
}

// confirmHandlers serve the Still open button.
type confirmHandlers struct {
	svc *placement.Service
}

// confirm records that the position is still open and shows its card as it is now. The id is
// client text; the service checks that the member mentors for the position. Pressing twice
// confirms twice, which leaves the position as one press does.
func (h confirmHandlers) confirm(ctx context.Context, r *discord.Request) (*discord.Reply, error) {
	id, err := ui.VarID(r.Vars, "id")
	if err != nil {
		return nil, err
	}
	p, err := h.svc.ConfirmPosition(ctx, r.Actor, id)
	if err != nil {
		return nil, postingPositionErr(r, err)
	}
	reply := positionCard(r, p, placement.Application{})
	reply.Content = r.T("jobs.confirmed", map[string]any{
		"Title": ui.Truncate(ui.OneLine(p.Title), 100),
		"Next":  ui.Timestamp(placement.NextConfirmation(h.svc.Now()), 'd'),
	})
	return reply, nil
}
