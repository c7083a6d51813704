package placement

import (
	"context"
	"sort"
	"strings"
	"time"
)

// Invitation is a mentor's invitation of a student to apply to a position.
type Invitation struct {
	ID         int64
	GuildID    string
	PositionID int64
	StudentID  string
	MentorID   string
	CreatedAt  time.Time
	DeclinedAt time.Time // zero while the student has not said no thanks
}

// Candidate is a student a position's mentors may invite, with why they fit. Its profile holds
// only what a profile shows mentors of an applicant: program, cohort, skills and availability.
type Candidate struct {
	Profile   Profile
	Name      string // the name the server shows them by, as last remembered; "" if unknown
	Score     float64
	Matched   []string  // the position's skills the student has
	InvitedAt time.Time // when they were invited to this position; zero if not yet
}

// CandidatePage is one page of a position's candidates, best fit first.
type CandidatePage struct {
	Position   Position
	Candidates []Candidate
	Page       int // from 0
	Pages      int // at least 1
}

// CandidatesPerPage is how many candidates one page lists (one select menu option each).
const CandidatesPerPage = 10

// candidatePool is how many candidates the store hands the service to rank.
const candidatePool = 200

// DefaultInvitationsPerDay is how many invitations a position sends a day unless the school
// sets another limit.
const DefaultInvitationsPerDay = 10

// invitationAudit is an invitation's audit event: about the position, naming the student, so it
// is in the position's, the enterprise's and the student's trails.
func (s *Service) invitationAudit(a Actor, action string, p Position, studentID string) AuditEvent {
	return s.positionAudit(a.UserID, p, action, map[string]any{"student_id": studentID})
}

// invitable loads a position whose mentors may invite now: the actor mentors its enterprise and
// it takes applications (open, before its deadline, a slot free).
func (s *Service) invitable(ctx context.Context, a Actor, positionID int64) (Position, error) {
	p, err := s.Store.FindPosition(ctx, a.GuildID, positionID)
	if err != nil {
		return Position{}, err
	}
	if !a.MentorsFor(p.EnterpriseID) {
		return Position{}, Errorf(EFORBIDDEN, "err.not_your_position", nil)
	}
	if !p.Open(s.NowIn(a.Location())) {
		return Position{}, Errorf(ECONFLICT, "err.invite_position_closed", map[string]any{"Title": p.Title})
	}
	return p, nil
}

// InvitationCandidates ranks the students who fit a position and may be invited to it: with a
// profile sharing a skill or the program, invitations on, no active placement, no application
// to it. Its enterprise's mentors only, while it takes applications.
func (s *Service) InvitationCandidates(ctx context.Context, a Actor, positionID int64, page int) (CandidatePage, error) {
	p, err := s.invitable(ctx, a, positionID)
	if err != nil {
		return CandidatePage{}, err
	}
	cands, err := s.Store.InvitationCandidates(ctx, a.GuildID, p, "", candidatePool)
	if err != nil {
		return CandidatePage{}, err
	}
	ranked := rankCandidates(p, cands)
	pages := max((len(ranked)+CandidatesPerPage-1)/CandidatesPerPage, 1)
	page = min(max(page, 0), pages-1)
	end := min((page+1)*CandidatesPerPage, len(ranked))
	return CandidatePage{Position: p, Candidates: ranked[page*CandidatesPerPage : end], Page: page, Pages: pages}, nil
}

// rankCandidates scores each candidate with the fit recommendations use, best first (ties: the
// most recently updated profile first), and keeps only what mentors may see of each profile.
func rankCandidates(p Position, cands []Candidate) []Candidate {
	for i := range cands {
		fit := Fit(cands[i].Profile, p)
		cands[i].Score, cands[i].Matched = fit.Score, fit.Matched
		pr := cands[i].Profile
		cands[i].Profile = Profile{GuildID: pr.GuildID, UserID: pr.UserID, Program: pr.Program, Cohort: pr.Cohort,
			Skills: pr.Skills, AvailableFrom: pr.AvailableFrom, AvailableTo: pr.AvailableTo, UpdatedAt: pr.UpdatedAt}
	}
	sort.SliceStable(cands, func(i, j int) bool {
		if cands[i].Score != cands[j].Score {
			return cands[i].Score > cands[j].Score
		}
		return cands[i].Profile.UpdatedAt.After(cands[j].Profile.UpdatedAt)
	})
	return cands
}

// SetInvitationLimit sets how many invitations one position may send a day; coordinators only.
func (s *Service) SetInvitationLimit(ctx context.Context, a Actor, perDay int) error {
	if !a.Is(RoleCoordinator) {
		return Errorf(EFORBIDDEN, "err.coordinator_only", nil)
	}
	if perDay < 1 || perDay > 100 {
		return Errorf(EINVALID, "err.invitation_limit_range", map[string]any{"Value": perDay})
	}
	return s.Store.SetInvitationLimit(ctx, a.GuildID, perDay,
		Audited(s.audit(a, "setup.invitations", "guild:"+a.GuildID, map[string]any{"invitations_per_day": perDay})))
}

// Invite invites a candidate of the position to apply, by DM with the position and Apply: its
// enterprise's mentors only, while it takes applications, once per student and position, at
// most the school's limit of invitations per position and day (the school's day).
func (s *Service) Invite(ctx context.Context, a Actor, positionID int64, studentID string) (Invitation, error) {
	if !IsSnowflake(studentID) {
		return Invitation{}, Errorf(EINVALID, "err.bad_id", nil)
	}
	p, err := s.invitable(ctx, a, positionID)
	if err != nil {
		return Invitation{}, err
	}
	cands, err := s.Store.InvitationCandidates(ctx, a.GuildID, p, studentID, 1)
	if err != nil {
		return Invitation{}, err
	}
	if len(cands) == 0 {
		return Invitation{}, Errorf(ECONFLICT, "err.invite_not_candidate", nil)
	}
	c := cands[0]
	loc := a.Location()
	if !c.InvitedAt.IsZero() {
		return Invitation{}, AlreadyInvited(c.InvitedAt, loc)
	}
	perDay, err := s.Store.InvitationLimit(ctx, a.GuildID)
	if err != nil {
		return Invitation{}, err
	}
	today := s.today(loc)
	dayStart := time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, loc)
	fit := Fit(c.Profile, p)
	inv := Invitation{GuildID: a.GuildID, PositionID: p.ID, StudentID: studentID, MentorID: a.UserID}
	return s.Store.CreateInvitation(ctx, inv, perDay, dayStart, func(inv Invitation) Effects {
		return Audited(s.invitationAudit(a, "invitation.sent", p, studentID), invitationNote(inv, p, fit.Matched, a.Locale, loc))
	})
}

// AlreadyInvited refuses a second invitation of a student to a position, naming the day of the
// first in the school's zone.
func AlreadyInvited(at time.Time, loc *time.Location) error {
	return Errorf(ECONFLICT, "err.already_invited", map[string]any{"Date": LocalDate(at, loc).Format(DateLayout)})
}

// InvitationLimitReached is the refusal of an invitation beyond the day's limit, saying when
// the day ends in the school's zone (dayStart is its start).
func InvitationLimitReached(perDay int, dayStart time.Time) error {
	return Errorf(ECONFLICT, "err.invitation_limit", map[string]any{"Limit": perDay, "ResetAt": dayStart.AddDate(0, 0, 1).Unix()})
}

// invitationNote is the student's DM: the position as its card shows it, with Apply and No
// thanks buttons the outbox adds (they carry the guild, since a DM reaches none).
func invitationNote(inv Invitation, p Position, matched []string, locale string, school *time.Location) Notification {
	return Notification{GuildID: inv.GuildID, DedupKey: "invitation:" + idStr(inv.ID), UserID: inv.StudentID,
		MessageKey: InvitationMessage, Locale: locale, Data: map[string]any{
			"ID": inv.ID, "PositionID": p.ID, "Title": p.Title, "Enterprise": p.EnterpriseName,
			"Location": p.Location, "Remote": p.Remote, "SlotsLeft": p.SlotsLeft(),
			"Start": p.StartDate.Format(DateLayout), "End": p.EndDate.Format(DateLayout),
			"DeadlineAt": DayEnd(p.Deadline, school).Unix(), "Skills": strings.Join(p.Skills, ", "),
			"Matched": strings.Join(matched, ", "), "Stipend": p.Stipend}}
}

// InvitationMessage is the catalog id of an invitation's DM.
const InvitationMessage = "note.invited"

// DeclineInvitation records the student's "No thanks": the invited student only, once; the
// mentor is not told.
func (s *Service) DeclineInvitation(ctx context.Context, a Actor, id int64) (Invitation, error) {
	inv, err := s.Store.FindInvitation(ctx, a.GuildID, id)
	if err != nil {
		return Invitation{}, err
	}
	if inv.StudentID != a.UserID {
		return Invitation{}, Errorf(EFORBIDDEN, "err.not_your_invitation", nil)
	}
	if !inv.DeclinedAt.IsZero() {
		return Invitation{}, Errorf(ECONFLICT, "err.invitation_declined_already", nil)
	}
	p, err := s.Store.FindPosition(ctx, a.GuildID, inv.PositionID)
	if err != nil {
		return Invitation{}, err
	}
	return s.Store.DeclineInvitation(ctx, a.GuildID, id, s.Now(), Audited(s.invitationAudit(a, "invitation.declined", p, a.UserID)))
}

// SetInvitations turns invitations to the student's own profile on or off; turned off, they are
// never a candidate.
func (s *Service) SetInvitations(ctx context.Context, a Actor, off bool) (Profile, error) {
	if !a.Is(RoleStudent) {
		return Profile{}, Errorf(EFORBIDDEN, "err.student_only", nil)
	}
	detail := map[string]any{"student_id": a.UserID}
	ev := s.audit(a, "profile.invitations_on", StudentSubject(a.UserID), detail)
	if off {
		ev = s.audit(a, "profile.invitations_off", StudentSubject(a.UserID), detail)
	}
	return s.Store.SetInvitationsOff(ctx, a.GuildID, a.UserID, off, Audited(ev))
}
