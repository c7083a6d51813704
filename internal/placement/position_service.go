package placement

import (
	"context"
	"slices"
	"sort"
	"strings"
	"time"
)

// PostPosition publishes a position for one of the mentor's verified enterprises and
// announces it in the announcements channel when one is set.
func (s *Service) PostPosition(ctx context.Context, a Actor, enterpriseID int64, in PositionInput) (Position, error) {
	if !a.MentorsFor(enterpriseID) {
		return Position{}, Errorf(EFORBIDDEN, "err.not_your_enterprise", nil)
	}
	p, err := in.Parse(s.NowIn(a.Location()))
	if err != nil {
		return Position{}, err
	}
	gs, err := s.Store.FindGuildSettings(ctx, a.GuildID)
	if err != nil {
		return Position{}, err
	}
	p.GuildID, p.EnterpriseID, p.CreatedBy = a.GuildID, enterpriseID, a.UserID
	return s.Store.CreatePosition(ctx, p, func(p Position) Effects {
		fx := Audited(s.positionAudit(a.UserID, p, "position.posted", postedDetail(p)))
		if gs.AnnouncementsChannelID != "" {
			fx.Notes = []Notification{s.announcement(p, gs.AnnouncementsChannelID, a.Locale, a.Location())}
		}
		return fx
	})
}

// announcement is the post of a newly opened position in the announcements channel. Its
// deadline ends at midnight in the school's zone, shown as a Discord timestamp (DeadlineAt).
func (s *Service) announcement(p Position, channelID, locale string, school *time.Location) Notification {
	return Notification{GuildID: p.GuildID, DedupKey: "position:" + idStr(p.ID) + ":announced", ChannelID: channelID,
		MessageKey: "note.position_opened", Locale: locale, Data: map[string]any{
			"ID": p.ID, "Title": p.Title, "Enterprise": p.EnterpriseName, "Location": p.Location, "Remote": p.Remote,
			"Slots": p.Slots, "Deadline": p.Deadline.Format(DateLayout), "DeadlineAt": DayEnd(p.Deadline, school).Unix()}}
}

// postedDetail is what the audit trail says of a position as posted or edited.
func postedDetail(p Position) map[string]any {
	return map[string]any{"slots": p.Slots, "deadline": p.Deadline.Format(DateLayout)}
}

// EditPosition replaces a position's details; its mentors only.
func (s *Service) EditPosition(ctx context.Context, a Actor, id int64, in PositionInput) (Position, error) {
	cur, err := s.OwnPosition(ctx, a, id)
	if err != nil {
		return Position{}, err
	}
	p, err := in.Parse(s.NowIn(a.Location()))
	if err != nil {
		return Position{}, err
	}
	if p.Slots < cur.Taken {
		return Position{}, Errorf(ECONFLICT, "err.slots_below_taken", map[string]any{"Taken": cur.Taken})
	}
	p.ID, p.GuildID, p.EnterpriseID, p.Status, p.CreatedBy = cur.ID, cur.GuildID, cur.EnterpriseID, cur.Status, cur.CreatedBy
	return s.Store.UpdatePosition(ctx, p, Audited(s.positionAudit(a.UserID, p, "position.edited", postedDetail(p))))
}

// ClosePosition stops applications; its mentors only.
func (s *Service) ClosePosition(ctx context.Context, a Actor, id int64) (Position, error) {
	p, err := s.OwnPosition(ctx, a, id)
	if err != nil {
		return Position{}, err
	}
	if p.Status == PositionClosed {
		return Position{}, Errorf(ECONFLICT, "err.position_already_closed", nil)
	}
	apps, err := s.Store.PositionApplicants(ctx, a.GuildID, id)
	if err != nil {
		return Position{}, err
	}
	var waiting []Waiting
	for _, ap := range apps {
		if ap.Status == Submitted || ap.Status == Shortlisted {
			waiting = append(waiting, Waiting{ApplicationID: ap.ID, StudentID: ap.StudentID})
		}
	}
	return s.Store.SetPositionStatus(ctx, a.GuildID, id, PositionClosed,
		Audited(s.positionAudit(a.UserID, p, "position.closed", nil), closedNotes(p, waiting)...))
}

// Waiting is an application still waiting for its mentor's answer.
type Waiting struct {
	ApplicationID int64
	StudentID     string
}

// closedNotes tell the students waiting for an answer that the position closed to new
// applications while theirs stays open; once per application, however often it closes.
func closedNotes(p Position, waiting []Waiting) []Notification {
	out := make([]Notification, 0, len(waiting))
	for _, w := range waiting {
		out = append(out, Notification{GuildID: p.GuildID, DedupKey: "application:" + idStr(w.ApplicationID) + ":position_closed",
			UserID: w.StudentID, MessageKey: "note.app_position_closed",
			Data: map[string]any{"ID": w.ApplicationID, "Title": p.Title, "Enterprise": p.EnterpriseName}})
	}
	return out
}

// ReopenPosition takes applications again, if its deadline has not passed; its mentors only.
func (s *Service) ReopenPosition(ctx context.Context, a Actor, id int64) (Position, error) {
	p, err := s.OwnPosition(ctx, a, id)
	if err != nil {
		return Position{}, err
	}
	if p.Status == PositionOpen {
		return Position{}, Errorf(ECONFLICT, "err.position_already_open", nil)
	}
	if p.Deadline.Before(s.today(a.Zone)) {
		return Position{}, Errorf(ECONFLICT, "err.reopen_past_deadline", nil)
	}
	return s.Store.SetPositionStatus(ctx, a.GuildID, id, PositionOpen, Audited(s.positionAudit(a.UserID, p, "position.reopened", nil)))
}

// OwnPosition loads a position the actor mentors for (to edit or duplicate it).
func (s *Service) OwnPosition(ctx context.Context, a Actor, id int64) (Position, error) {
	p, err := s.Store.FindPosition(ctx, a.GuildID, id)
	if err != nil {
		return Position{}, err
	}
	if !a.MentorsFor(p.EnterpriseID) {
		return Position{}, Errorf(EFORBIDDEN, "err.not_your_position", nil)
	}
	return p, nil
}

// Position returns one position; any member may look.
func (s *Service) Position(ctx context.Context, a Actor, id int64) (Position, error) {
	return s.Store.FindPosition(ctx, a.GuildID, id)
}

// MyPositions lists the positions of the mentor's enterprises, newest first.
func (s *Service) MyPositions(ctx context.Context, a Actor) ([]Position, error) {
	if !a.Is(RoleMentor) {
		return nil, Errorf(EFORBIDDEN, "err.mentor_only", nil)
	}
	return s.Store.EnterprisePositions(ctx, a.GuildID, a.EnterpriseIDs, 25)
}

// Browse returns one page of open positions matching the filter, after the keyset cursor.
func (s *Service) Browse(ctx context.Context, a Actor, f PositionFilter, after int64) (Page, error) {
	var err error
	if f.Keyword, err = cleanText("keyword", f.Keyword, 0, 100); err != nil {
		return Page{}, err
	}
	f.Skill = strings.ToLower(strings.TrimSpace(truncate(f.Skill, 40)))
	f.Program = strings.ToLower(strings.TrimSpace(truncate(f.Program, 80)))
	f.Location = strings.TrimSpace(truncate(f.Location, 60))
	return s.Store.BrowsePositions(ctx, a.GuildID, f, after, PageSize, s.today(a.Zone))
}

// SuggestPositions finds open positions by title for autocomplete. A mentor also finds their
// enterprises' own positions in every status, first, so a closed one can be found to reopen.
func (s *Service) SuggestPositions(ctx context.Context, a Actor, prefix string) ([]Position, error) {
	const limit = 25
	prefix = strings.TrimSpace(truncate(prefix, 100))
	var own []Position
	if a.Is(RoleMentor) {
		var err error
		if own, err = s.Store.SearchEnterprisePositions(ctx, a.GuildID, a.EnterpriseIDs, prefix, limit); err != nil {
			return nil, err
		}
	}
	open, err := s.Store.SearchPositions(ctx, a.GuildID, prefix, limit)
	if err != nil {
		return nil, err
	}
	out := own
	for _, p := range open {
		if len(out) == limit {
			break
		}
		if !slices.ContainsFunc(own, func(o Position) bool { return o.ID == p.ID }) {
			out = append(out, p)
		}
	}
	return out, nil
}

// MyApplicationsTo returns the student's own application to each of the positions that has
// one, by position id, for cards that show "Applied" instead of Apply. Members who are not
// students get none.
func (s *Service) MyApplicationsTo(ctx context.Context, a Actor, positionIDs []int64) (map[int64]Application, error) {
	if !a.Is(RoleStudent) || len(positionIDs) == 0 {
		return map[int64]Application{}, nil
	}
	return s.Store.StudentApplicationsTo(ctx, a.GuildID, a.UserID, positionIDs)
}

// SuggestLocations suggests where open positions are, for autocomplete.
func (s *Service) SuggestLocations(ctx context.Context, a Actor, typed string) ([]string, error) {
	return s.Store.PositionLocations(ctx, a.GuildID, strings.TrimSpace(truncate(typed, 60)), 25)
}

// SuggestPrograms suggests the programs positions ask for and students study, for the scope
// of a coordinator's round.
func (s *Service) SuggestPrograms(ctx context.Context, a Actor, typed string) ([]string, error) {
	if !a.Is(RoleCoordinator) {
		return nil, Errorf(EFORBIDDEN, "err.coordinator_only", nil)
	}
	return s.Store.Programs(ctx, a.GuildID, strings.TrimSpace(truncate(typed, 60)), 25)
}

// Recommendation is a position with why it fits the student.
type Recommendation struct {
	Position Position
	Score    float64
	Matched  []string // the student's skills the position asks for
}

// Recommend ranks open positions by fit with the student's profile: shared skills weigh most,
// then program, location (or remote) and dates within the student's availability.
func (s *Service) Recommend(ctx context.Context, a Actor, limit int) ([]Recommendation, error) {
	if !a.Is(RoleStudent) {
		return nil, Errorf(EFORBIDDEN, "err.student_only", nil)
	}
	if err := s.refusePlaced(ctx, a); err != nil {
		return nil, err
	}
	p, err := s.Store.FindProfile(ctx, a.GuildID, a.UserID)
	if ErrorCode(err) == ENOTFOUND {
		return nil, Errorf(ENOTFOUND, "err.profile_first", nil)
	}
	if err != nil {
		return nil, err
	}
	cands, err := s.Store.CandidatePositions(ctx, a.GuildID, p, 200, s.today(a.Zone))
	if err != nil {
		return nil, err
	}
	recs := make([]Recommendation, 0, len(cands))
	for _, c := range cands {
		recs = append(recs, Fit(p, c))
	}
	sort.SliceStable(recs, func(i, j int) bool {
		if recs[i].Score != recs[j].Score {
			return recs[i].Score > recs[j].Score
		}
		return recs[i].Position.ID > recs[j].Position.ID
	})
	return recs[:min(limit, len(recs))], nil
}

// Fit scores how well a position suits a profile, with the matched skills as the reason.
func Fit(p Profile, pos Position) Recommendation {
	r := Recommendation{Position: pos}
	for _, s := range pos.Skills {
		if ContainsItem(p.Skills, s) {
			r.Matched = append(r.Matched, s)
		}
	}
	if len(pos.Skills) > 0 {
		r.Score += 3 * float64(len(r.Matched)) / float64(len(pos.Skills))
	}
	if len(pos.Programs) == 0 || ContainsItem(pos.Programs, p.Program) {
		r.Score += 2
	}
	if pos.Remote || len(p.Locations) == 0 || ContainsItem(p.Locations, pos.Location) {
		r.Score++
	}
	if !p.AvailableFrom.IsZero() && !pos.StartDate.Before(p.AvailableFrom) && !pos.EndDate.After(p.AvailableTo) {
		r.Score++
	}
	return r
}
