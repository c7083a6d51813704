package placement

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"placementbot/internal/matching"
)

// The round's reminder: members who have not ranked hear once, within a day of the deadline.
const RoundReminderWithin = 24 * time.Hour

// MaxOpenListed is how many positions still open an unmatched student is told about.
const MaxOpenListed = 10

// maxMentorStudents is how many matched students a mentor's DM names (the rest are counted):
// what fits in one Discord message.
const maxMentorStudents = 40

// OpenRound opens a placement round over the open positions in scope, with their free slots;
// coordinators only. The deadline is a typed date, not in the past, that ends at midnight in
// the school's time zone.
func (s *Service) OpenRound(ctx context.Context, a Actor, in RoundInput) (Round, []RoundPosition, error) {
	if !a.Is(RoleCoordinator) {
		return Round{}, nil, Errorf(EFORBIDDEN, "err.coordinator_only", nil)
	}
	r, err := in.parse(s.today(a.Zone))
	if err != nil {
		return Round{}, nil, err
	}
	if r.Scope.Enterprise < 0 {
		return Round{}, nil, Errorf(ENOTFOUND, "err.enterprise_not_found", nil)
	}
	if r.Scope.Enterprise != 0 {
		if _, err := s.Store.FindEnterprise(ctx, a.GuildID, r.Scope.Enterprise); err != nil {
			return Round{}, nil, err
		}
	}
	var seed [8]byte
	if _, err := rand.Read(seed[:]); err != nil {
		return Round{}, nil, fmt.Errorf("placement: draw round seed: %w", err)
	}
	r.GuildID, r.Seed, r.CreatedBy = a.GuildID, binary.LittleEndian.Uint64(seed[:]), a.UserID
	r.Deadline = DayEnd(r.Deadline, a.Location())
	gs, err := s.Store.FindGuildSettings(ctx, a.GuildID)
	if err != nil {
		return Round{}, nil, err
	}
	effects := func(r Round, ps []RoundPosition) Effects {
		slots := 0
		for _, p := range ps {
			slots += p.Slots
		}
		fx := Audited(s.audit(a, "round.opened", RoundSubject(r.ID), map[string]any{
			"name": r.Name, "positions": len(ps), "slots": slots, "deadline": r.Deadline.Unix(),
			"max_ranks": r.MaxRanks, "outcome": string(r.Outcome), "seed": strconv.FormatUint(r.Seed, 10),
			"enterprise_id": r.Scope.Enterprise, "program": r.Scope.Program}))
		if gs.AnnouncementsChannelID != "" {
			// The post says what opened and until when; nothing about any member.
			fx.Notes = []Notification{{GuildID: r.GuildID, DedupKey: RoundSubject(r.ID) + ":announced",
				ChannelID: gs.AnnouncementsChannelID, MessageKey: "note.round_opened", Locale: a.Locale,
				Data: map[string]any{"ID": r.ID, "Name": r.Name, "Count": len(ps), "Slots": slots, "DeadlineAt": r.Deadline.Unix()}}}
		}
		return fx
	}
	return s.Store.CreateRound(ctx, r, s.today(a.Zone), effects)
}

// parse validates a round as typed against today's date (the deadline stays a date).
func (in RoundInput) parse(today time.Time) (Round, error) {
	var r Round
	var err error
	if r.Name, err = cleanText("name", in.Name, 3, 80); err != nil {
		return r, err
	}
	if r.Scope.Program, err = cleanText("program", in.Program, 0, 80); err != nil {
		return r, err
	}
	r.Scope.Enterprise = in.Enterprise
	if r.Deadline, err = ParseDate("deadline", in.Deadline); err != nil {
		return r, err
	}
	if r.Deadline.Before(today) {
		return r, Errorf(EINVALID, "err.round_deadline_past", map[string]any{"Deadline": r.Deadline.Format(DateLayout)})
	}
	switch r.MaxRanks = in.MaxRanks; {
	case r.MaxRanks == 0:
		r.MaxRanks = DefaultMaxRanks
	case r.MaxRanks < 1 || r.MaxRanks > MaxMaxRanks:
		return r, Errorf(EINVALID, "err.round_max_ranks", map[string]any{"Value": in.MaxRanks, "Max": MaxMaxRanks})
	}
	switch RoundOutcome(strings.TrimSpace(in.Outcome)) {
	case "", OutcomeOffers:
		r.Outcome = OutcomeOffers
	case OutcomeApproval:
		r.Outcome = OutcomeApproval
	default:
		return r, Errorf(EINVALID, "err.round_outcome", nil)
	}
	return r, nil
}

// member refuses members with no placement role (and members of no role at all).
func member(a Actor) error {
	if a.Roles == 0 {
		return Errorf(EFORBIDDEN, "err.no_role", nil)
	}
	return nil
}

// Rounds lists the guild's rounds, newest first, for autocomplete and views; any member with
// a placement role (students and mentors rank in them).
func (s *Service) Rounds(ctx context.Context, a Actor, f RoundFilter) ([]Round, error) {
	if err := member(a); err != nil {
		return nil, err
	}
	if !a.Is(RoleCoordinator) {
		// Students and mentors are offered only the rounds they take part in.
		f.Member = &RoundMember{UserID: a.UserID}
		if a.Is(RoleMentor) {
			f.Member.Enterprises = a.EnterpriseIDs
		}
	}
	return s.Store.FindRounds(ctx, a.GuildID, f)
}

// Round returns one round with its positions as they were fixed at open.
func (s *Service) Round(ctx context.Context, a Actor, id int64) (Round, []RoundPosition, error) {
	if err := member(a); err != nil {
		return Round{}, nil, err
	}
	r, err := s.Store.FindRound(ctx, a.GuildID, id)
	if err != nil {
		return Round{}, nil, err
	}
	slots, err := s.Store.RoundSlots(ctx, a.GuildID, id)
	if err != nil {
		return Round{}, nil, err
	}
	ps := make([]RoundPosition, len(slots))
	for i, sl := range slots {
		ps[i] = sl.RoundPosition
	}
	return r, ps, nil
}

// StudentRanking is the student's own list in the round: their applications to its open
// positions, ranked first in their order, then the unranked.
func (s *Service) StudentRanking(ctx context.Context, a Actor, roundID int64) (RoundRanking, error) {
	if !a.Is(RoleStudent) {
		return RoundRanking{}, Errorf(EFORBIDDEN, "err.student_only", nil)
	}
	r, err := s.Store.FindRound(ctx, a.GuildID, roundID)
	if err != nil {
		return RoundRanking{}, err
	}
	apps, err := s.Store.RankList(ctx, RankList{GuildID: a.GuildID, RoundID: roundID, Side: SideStudent, StudentID: a.UserID})
	if err != nil {
		return RoundRanking{}, err
	}
	return RoundRanking{Round: r, Applications: apps}, nil
}

// rankable refuses ranks for a published round or after its deadline.
func (s *Service) rankable(r Round) error {
	switch {
	case r.Status == RoundStatusPublished:
		return ErrRoundPublished
	case r.Due(s.Now()):
		return RoundClosed(r.Deadline)
	}
	return nil
}

// checkOrder refuses an order naming an application twice.
func checkOrder(appIDs []int64) error {
	seen := make(map[int64]bool, len(appIDs))
	for _, id := range appIDs {
		if seen[id] {
			return Errorf(EINVALID, "err.round_duplicate_rank", map[string]any{"ID": id})
		}
		seen[id] = true
	}
	return nil
}

// SetStudentRanks replaces the student's order of their applications in the round: at most
// the round's MaxRanks, only their own rankable applications to its open positions, each once;
// until the deadline.
func (s *Service) SetStudentRanks(ctx context.Context, a Actor, roundID int64, appIDs []int64) error {
	if !a.Is(RoleStudent) {
		return Errorf(EFORBIDDEN, "err.student_only", nil)
	}
	r, err := s.Store.FindRound(ctx, a.GuildID, roundID)
	if err != nil {
		return err
	}
	if err := s.rankable(r); err != nil {
		return err
	}
	if len(appIDs) > r.MaxRanks {
		return Errorf(EINVALID, "err.round_too_many_ranks", map[string]any{"Max": r.MaxRanks, "Count": len(appIDs)})
	}
	if err := checkOrder(appIDs); err != nil {
		return err
	}
	ev := s.audit(a, "round.ranked", RoundSubject(roundID), map[string]any{"side": "student", "student_id": a.UserID, "ranks": len(appIDs)})
	return s.Store.SetRanks(ctx, RankList{GuildID: a.GuildID, RoundID: roundID, Side: SideStudent, StudentID: a.UserID},
		appIDs, s.Now(), Audited(ev))
}

// roundPosition returns the round and one of its positions, for a mentor of its enterprise.
func (s *Service) roundPosition(ctx context.Context, a Actor, roundID, positionID int64) (Round, RoundSlot, error) {
	if !a.Is(RoleMentor) {
		return Round{}, RoundSlot{}, Errorf(EFORBIDDEN, "err.mentor_only", nil)
	}
	r, err := s.Store.FindRound(ctx, a.GuildID, roundID)
	if err != nil {
		return Round{}, RoundSlot{}, err
	}
	slots, err := s.Store.RoundSlots(ctx, a.GuildID, roundID)
	if err != nil {
		return Round{}, RoundSlot{}, err
	}
	i := slices.IndexFunc(slots, func(sl RoundSlot) bool { return sl.PositionID == positionID })
	if i < 0 {
		return Round{}, RoundSlot{}, Errorf(ENOTFOUND, "err.round_position_not_found", nil)
	}
	if !a.MentorsFor(slots[i].EnterpriseID) {
		return Round{}, RoundSlot{}, Errorf(EFORBIDDEN, "err.not_your_enterprise", nil)
	}
	return r, slots[i], nil
}

// PositionRanking is a position's list of its applicants in the round, ranked first, with
// their profiles; for the mentors of its enterprise.
func (s *Service) PositionRanking(ctx context.Context, a Actor, roundID, positionID int64) (RoundRanking, error) {
	r, sl, err := s.roundPosition(ctx, a, roundID, positionID)
	if err != nil {
		return RoundRanking{}, err
	}
	apps, err := s.Store.RankList(ctx, RankList{GuildID: a.GuildID, RoundID: roundID, Side: SidePosition, PositionID: positionID})
	if err != nil {
		return RoundRanking{}, err
	}
	return RoundRanking{Round: r, Position: sl.RoundPosition, Applications: apps}, nil
}

// SetPositionRanks replaces a position's order of its applicants in the round (any length,
// each once, only its own applicants); for its mentors, until the deadline.
func (s *Service) SetPositionRanks(ctx context.Context, a Actor, roundID, positionID int64, appIDs []int64) error {
	r, sl, err := s.roundPosition(ctx, a, roundID, positionID)
	if err != nil {
		return err
	}
	if err := s.rankable(r); err != nil {
		return err
	}
	if err := checkOrder(appIDs); err != nil {
		return err
	}
	ev := s.audit(a, "round.ranked", RoundSubject(roundID), map[string]any{"side": "position", "position_id": positionID, "ranks": len(appIDs)})
	ev.EnterpriseID = sl.EnterpriseID
	return s.Store.SetRanks(ctx, RankList{GuildID: a.GuildID, RoundID: roundID, Side: SidePosition, PositionID: positionID},
		appIDs, s.Now(), Audited(ev))
}

// roundMatch is a round's match computed from the store, checked stable.
type roundMatch struct {
	problem *matching.Problem
	result  matching.Result
	slots   map[int64]RoundSlot
	order   []int64 // the round's positions, in title order
	groups  map[string]StudentGroup
	apps    map[string][]roundApp // each student's ranked applications
}

type roundApp struct {
	position, id int64
}

// match loads the round's ranks (applications still rankable on positions still open; the
// capacity of each the smaller of its round slots and its free slots now), matches them with
// the round's seed and checks the result. A result that fails the check is an internal error:
// nothing is shown or published from it.
func (s *Service) match(ctx context.Context, r Round) (roundMatch, error) {
	b := matching.NewBuilder(r.Seed)
	m := roundMatch{slots: map[int64]RoundSlot{}, apps: map[string][]roundApp{}}
	groups, err := s.Store.LoadRound(ctx, r.GuildID, r.ID, func(sl RoundSlot) {
		m.slots[sl.PositionID] = sl
		m.order = append(m.order, sl.PositionID)
		if sl.Open {
			b.Position(sl.PositionID, sl.Capacity)
		}
	}, func(e RoundEntry) {
		b.Add(matching.Entry{Student: e.Student, Position: e.Position, StudentRank: e.StudentRank, PositionRank: e.PositionRank})
		if e.StudentRank > 0 {
			m.apps[e.Student] = append(m.apps[e.Student], roundApp{e.Position, e.ApplicationID})
		}
	})
	if err != nil {
		return roundMatch{}, err
	}
	m.groups = groups
	if m.problem, err = b.Build(); err != nil {
		return roundMatch{}, &Error{Code: EINTERNAL, Key: "err.internal", Err: fmt.Errorf("round %d: %w", r.ID, err)}
	}
	m.result = m.problem.Match()
	if err := m.result.Check(); err != nil {
		return roundMatch{}, &Error{Code: EINTERNAL, Key: "err.internal", Err: fmt.Errorf("round %d: unstable match: %w", r.ID, err)}
	}
	return m, nil
}

// summary counts the match for the preview.
func (m roundMatch) summary(r Round, now time.Time, by string) RoundPreview {
	p := RoundPreview{RoundID: r.ID, Seed: r.Seed, Stable: true, Provisional: !r.Due(now), At: now, By: by,
		Students: m.problem.Students(), Entries: m.problem.Entries(), RankCounts: m.result.RankCounts()}
	programs, cohorts := map[string]*GroupCount{}, map[string]*GroupCount{}
	count := func(groups map[string]*GroupCount, name string, matched bool) {
		g := groups[name]
		if g == nil {
			g = &GroupCount{Group: name}
			groups[name] = g
		}
		if matched {
			g.Matched++
		} else {
			g.Unmatched++
		}
	}
	m.result.Each(func(x matching.Match) {
		g := m.groups[x.Student]
		count(programs, g.Program, x.Position != 0)
		count(cohorts, g.Cohort, x.Position != 0)
	})
	p.Matched = m.result.Matched()
	p.Unmatched = p.Students - p.Matched
	p.ByProgram, p.ByCohort = sortedGroups(programs), sortedGroups(cohorts)
	filled := m.result.Filled()
	for _, id := range m.order {
		if sl := m.slots[id]; sl.Open && sl.Capacity > filled[id] {
			p.Unfilled = append(p.Unfilled, UnfilledPosition{RoundPosition: sl.RoundPosition, Free: sl.Capacity - filled[id]})
		}
	}
	return p
}

func sortedGroups(groups map[string]*GroupCount) []GroupCount {
	out := make([]GroupCount, 0, len(groups))
	for _, g := range groups {
		out = append(out, *g)
	}
	slices.SortFunc(out, func(x, y GroupCount) int { return strings.Compare(strings.ToLower(x.Group), strings.ToLower(y.Group)) })
	return out
}

// PreviewRound computes the round's match from the ranks as they are and keeps its summary;
// coordinators only, at any time (before the deadline the result is provisional).
func (s *Service) PreviewRound(ctx context.Context, a Actor, roundID int64) (RoundPreview, error) {
	if !a.Is(RoleCoordinator) {
		return RoundPreview{}, Errorf(EFORBIDDEN, "err.coordinator_only", nil)
	}
	r, err := s.Store.FindRound(ctx, a.GuildID, roundID)
	if err != nil {
		return RoundPreview{}, err
	}
	m, err := s.match(ctx, r)
	if err != nil {
		return RoundPreview{}, err
	}
	p := m.summary(r, s.Now(), a.UserID)
	ev := s.audit(a, "round.previewed", RoundSubject(roundID), map[string]any{"matched": p.Matched, "unmatched": p.Unmatched,
		"provisional": p.Provisional, "seed": strconv.FormatUint(r.Seed, 10)})
	if err := s.Store.SavePreview(ctx, a.GuildID, roundID, p, Audited(ev)); err != nil {
		return RoundPreview{}, err
	}
	return p, nil
}

// LastPreview is the round's last preview (or, once published, its published summary);
// coordinators only.
func (s *Service) LastPreview(ctx context.Context, a Actor, roundID int64) (RoundPreview, bool, error) {
	if !a.Is(RoleCoordinator) {
		return RoundPreview{}, false, Errorf(EFORBIDDEN, "err.coordinator_only", nil)
	}
	return s.Store.LastPreview(ctx, a.GuildID, roundID)
}

// reasonOf names a matching reason.
func reasonOf(w matching.Why) Reason {
	switch w {
	case matching.NotRanked:
		return ReasonNotRanked
	case matching.NoPlace:
		return ReasonNoPlace
	}
	return ReasonFilled
}

// results are every student's result and explanation.
func (m roundMatch) results() []RoundResultRow {
	xs := m.result.ExplainAll()
	out := make([]RoundResultRow, len(xs))
	for i, x := range xs {
		row := RoundResultRow{StudentID: x.Student, PositionID: x.Position, Rank: x.Rank, Ranked: x.Ranked}
		if x.Position != 0 {
			for _, app := range m.apps[x.Student] {
				if app.position == x.Position {
					row.ApplicationID = app.id
				}
			}
		}
		for _, h := range x.Higher {
			row.Higher = append(row.Higher, m.missed(h.Position, h.Rank, reasonOf(h.Why)))
		}
		out[i] = row
	}
	return out
}

func (m roundMatch) missed(positionID int64, rank int, why Reason) MissedPosition {
	sl := m.slots[positionID]
	return MissedPosition{PositionID: positionID, Title: sl.Title, EnterpriseName: sl.EnterpriseName, Rank: rank, Reason: why}
}

// higherData is an explanation as DM data: one entry per position ranked higher.
func higherData(h []MissedPosition) []any {
	out := make([]any, len(h))
	for i, x := range h {
		out[i] = map[string]any{"Rank": x.Rank, "Title": x.Title, "Enterprise": x.EnterpriseName, "Reason": string(x.Reason)}
	}
	return out
}

// openData lists positions as DM data.
func openData(open []RoundPosition) []any {
	out := make([]any, len(open))
	for i, p := range open {
		out[i] = map[string]any{"ID": p.PositionID, "Title": p.Title, "Enterprise": p.EnterpriseName, "Free": p.Slots}
	}
	return out
}

// stillOpen lists, most free slots first, up to MaxOpenListed of the round's positions still
// open with free slots, less those the moves took: the second, first-come window.
func stillOpen(slots map[int64]RoundSlot, order []int64, taken map[int64]int) []RoundPosition {
	var out []RoundPosition
	for _, id := range order {
		sl := slots[id]
		if free := sl.Free - taken[id]; sl.Open && free > 0 {
			p := sl.RoundPosition
			p.Slots = free
			out = append(out, p)
		}
	}
	slices.SortStableFunc(out, func(x, y RoundPosition) int { return y.Slots - x.Slots })
	return out[:min(len(out), MaxOpenListed)]
}

// PublishRound turns the round's match into offers (or accepted applications in the approval
// queue), once, after the deadline; coordinators only. The match is computed again from the
// same seed and ranks and checked, then published in one transaction: every move by the rules
// of a single one (an application withdrawn or a position filled since is skipped and counted),
// with its lifecycle event, audit and DMs, every student's explanation, and the round marked
// published. A second publish gets ErrRoundPublished.
func (s *Service) PublishRound(ctx context.Context, a Actor, roundID int64) (RoundPublished, error) {
	if !a.Is(RoleCoordinator) {
		return RoundPublished{}, Errorf(EFORBIDDEN, "err.coordinator_only", nil)
	}
	r, err := s.Store.FindRound(ctx, a.GuildID, roundID)
	if err != nil {
		return RoundPublished{}, err
	}
	if r.Status == RoundStatusPublished {
		return RoundPublished{}, ErrRoundPublished
	}
	now := s.Now()
	if !r.Due(now) {
		return RoundPublished{}, Errorf(ECONFLICT, "err.round_not_due", map[string]any{"DeadlineAt": r.Deadline.Unix()})
	}
	m, err := s.match(ctx, r)
	if err != nil {
		return RoundPublished{}, err
	}
	to := Offered
	if r.Outcome == OutcomeApproval {
		to = Accepted
	}
	results := m.results()
	byStudent := make(map[string]*RoundResultRow, len(results))
	for i := range results {
		byStudent[results[i].StudentID] = &results[i]
	}
	out := RoundPublished{Summary: m.summary(r, now, a.UserID)}
	key := "round:" + idStr(r.ID) + ":"
	base := func(msg, user string) Notification {
		return Notification{GuildID: a.GuildID, DedupKey: key + msg + ":" + user, UserID: user, MessageKey: "round.note_" + msg,
			Data: map[string]any{"Round": r.Name, "RoundID": r.ID}}
	}
	moves := func(mv RoundMove) Effects {
		if !mv.Moved {
			return Effects{} // told with the unmatched, in the round's effects
		}
		ev := LifecycleAudit(mv.Application, mv.Status, to, a.UserID, "", now)
		ev.Detail["round_id"] = r.ID
		n := base("matched", mv.StudentID)
		n.Data["ID"], n.Data["Title"], n.Data["Enterprise"] = mv.ID, mv.PositionTitle, mv.EnterpriseName
		n.Data["Rank"], n.Data["Outcome"] = mv.Rank, string(r.Outcome)
		n.Data["Higher"] = higherData(byStudent[mv.StudentID].Higher)
		return Audited(ev, n)
	}
	round := func(mvs []RoundMove, mentors map[int64][]string) Effects {
		taken, moved := map[int64]int{}, map[string]bool{}
		students := map[int64][]string{}
		for _, mv := range mvs {
			if mv.Moved {
				taken[mv.PositionID]++
				moved[mv.StudentID] = true
				students[mv.PositionID] = append(students[mv.PositionID], mv.StudentID)
			} else {
				out.Skipped++
			}
		}
		out.Moved = len(moved)
		open := stillOpen(m.slots, m.order, taken)
		var notes []Notification
		for _, id := range m.order {
			got := students[id]
			if len(got) == 0 {
				continue
			}
			sl := m.slots[id]
			for _, mentor := range mentors[sl.EnterpriseID] {
				n := base("mentor", idStr(id)+":"+mentor)
				n.UserID = mentor
				shown := make([]any, 0, min(len(got), maxMentorStudents))
				for _, st := range got[:min(len(got), maxMentorStudents)] {
					shown = append(shown, st)
				}
				n.Data["ID"], n.Data["Title"], n.Data["Enterprise"] = id, sl.Title, sl.EnterpriseName
				n.Data["Count"], n.Data["Students"], n.Data["More"] = len(got), shown, len(got)-len(shown)
				n.Data["Outcome"] = string(r.Outcome)
				notes = append(notes, n)
			}
		}
		for _, res := range results {
			if moved[res.StudentID] {
				continue
			}
			out.Unmatched++
			n := base("unmatched", res.StudentID)
			n.Data["Ranked"], n.Data["Higher"], n.Data["Vacant"] = res.Ranked, higherData(res.Higher), openData(open)
			n.Data["Skipped"] = res.ApplicationID != 0
			notes = append(notes, n)
		}
		ev := s.audit(a, "round.published", RoundSubject(r.ID), map[string]any{"moved": out.Moved, "skipped": out.Skipped,
			"unmatched": out.Unmatched, "students": len(results), "outcome": string(r.Outcome), "seed": strconv.FormatUint(r.Seed, 10)})
		return Audited(ev, notes...)
	}
	_, err = s.Store.PublishRound(ctx, RoundPublish{GuildID: a.GuildID, RoundID: r.ID, ActorID: a.UserID, At: now,
		From: FromStatuses(Offered, PartyMentor), To: to, Results: results, Summary: out.Summary, Moves: moves, Round: round})
	if err != nil {
		return RoundPublished{}, err
	}
	r.Status, r.PublishedBy, r.PublishedAt = RoundStatusPublished, a.UserID, now
	out.Round = r
	return out, nil
}

// RoundResult is the student's own result of a published round with its explanation, and
// the round's positions still open with free slots; before publishing, an error saying when
// ranking ends.
func (s *Service) RoundResult(ctx context.Context, a Actor, roundID int64) (RoundExplanation, error) {
	if !a.Is(RoleStudent) {
		return RoundExplanation{}, Errorf(EFORBIDDEN, "err.student_only", nil)
	}
	r, err := s.Store.FindRound(ctx, a.GuildID, roundID)
	if err != nil {
		return RoundExplanation{}, err
	}
	if r.Status != RoundStatusPublished {
		return RoundExplanation{}, Errorf(ECONFLICT, "err.round_not_published", map[string]any{"DeadlineAt": r.Deadline.Unix()})
	}
	row, ok, err := s.Store.RoundResult(ctx, a.GuildID, roundID, a.UserID)
	if err != nil {
		return RoundExplanation{}, err
	}
	if !ok {
		return RoundExplanation{}, Errorf(ENOTFOUND, "err.round_no_result", nil)
	}
	slots, err := s.Store.RoundSlots(ctx, a.GuildID, roundID)
	if err != nil {
		return RoundExplanation{}, err
	}
	m := roundMatch{slots: map[int64]RoundSlot{}}
	for _, sl := range slots {
		m.slots[sl.PositionID] = sl
		m.order = append(m.order, sl.PositionID)
	}
	x := RoundExplanation{Round: r, ApplicationID: row.ApplicationID, Rank: row.Rank, Ranked: row.Ranked, Skipped: row.Skipped,
		Open: stillOpen(m.slots, m.order, nil)}
	if row.ApplicationID != 0 {
		x.Position = m.slots[row.PositionID].RoundPosition
	}
	for _, h := range row.Higher {
		x.Higher = append(x.Higher, m.missed(h.PositionID, h.Rank, h.Reason))
	}
	return x, nil
}

// RemindRoundRanks reminds, once per round, the students with applications in a round due
// within RoundReminderWithin who ranked nothing, and the mentors of its positions with
// applicants and no ranks.
func (s *Service) RemindRoundRanks(ctx context.Context) (int, error) {
	now := s.Now()
	effects := func(rm RoundReminder) Effects {
		msg, detail := "round.note_remind_student", map[string]any{"user_id": rm.UserID, "mentor": rm.Mentor}
		if rm.Mentor {
			msg = "round.note_remind_mentor"
		} else {
			detail["student_id"] = rm.UserID
		}
		return Effects{
			Audit: []AuditEvent{{GuildID: rm.GuildID, ActorID: "system", Action: "round.reminded", Subject: RoundSubject(rm.RoundID),
				Detail: detail, At: now}},
			Notes: []Notification{{GuildID: rm.GuildID, DedupKey: "round:" + idStr(rm.RoundID) + ":remind:" + rm.UserID, UserID: rm.UserID,
				MessageKey: msg, Data: map[string]any{"Round": rm.RoundName, "RoundID": rm.RoundID, "DeadlineAt": rm.Deadline.Unix()}}},
		}
	}
	return sweep(ctx, func() (int, error) {
		rs, err := s.Store.RemindRoundRanks(ctx, now, RoundReminderWithin, jobBatch, effects)
		return len(rs), err
	})
}
