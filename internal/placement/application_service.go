package placement

import (
	"context"
	"sort"
	"time"
)

// Apply files the student's application with their motivation. A placed student cannot
// apply, nor a member to a position of an enterprise they mentor. A student who withdrew their
// application to the position applies again on the same application, once.
func (s *Service) Apply(ctx context.Context, a Actor, positionID int64, motivation string) (Application, error) {
	pos, gs, err := s.applyFacts(ctx, a, positionID)
	if err != nil {
		return Application{}, err
	}
	motivation, err = cleanText("motivation", motivation, 20, 1000)
	if err != nil {
		return Application{}, err
	}
	e, err := s.Store.FindEnterprise(ctx, a.GuildID, pos.EnterpriseID)
	if err != nil {
		return Application{}, err
	}
	app := Application{GuildID: a.GuildID, PositionID: positionID, StudentID: a.UserID, Status: Submitted, Motivation: motivation}
	effects := func(app Application) Effects {
		data := map[string]any{"ID": app.ID, "Title": app.PositionTitle, "Enterprise": app.EnterpriseName, "Student": a.UserID}
		notes := []Notification{{GuildID: a.GuildID, DedupKey: attemptKey(app, Submitted, a.UserID), UserID: a.UserID,
			MessageKey: "note.app_submitted", Data: data}}
		for _, m := range e.Mentors {
			notes = append(notes, Notification{GuildID: a.GuildID, DedupKey: attemptKey(app, Submitted, m), UserID: m,
				MessageKey: "note.mentor_new_application", Data: data})
		}
		from, at := Status(""), app.CreatedAt
		if app.Reapplied() {
			from, at = Withdrawn, app.UpdatedAt
		}
		return Audited(LifecycleAudit(app, from, Submitted, a.UserID, "", at), notes...)
	}
	return s.Store.CreateApplication(ctx, app, openCap(gs), s.today(a.Zone), effects)
}

// CheckApply says whether the student may apply to the position now, by the rules Apply
// decides on (read without locks: Apply decides again), so that a refusal comes before they
// type a motivation rather than after.
func (s *Service) CheckApply(ctx context.Context, a Actor, positionID int64) (Position, error) {
	pos, gs, err := s.applyFacts(ctx, a, positionID)
	if err != nil {
		return Position{}, err
	}
	apps, err := s.Store.StudentApplications(ctx, a.GuildID, a.UserID)
	if err != nil {
		return Position{}, err
	}
	open := 0
	var prior *Application
	for i, app := range apps {
		if app.Status.Open() {
			open++
		}
		if app.PositionID == positionID {
			prior = &apps[i]
		}
	}
	return pos, DecideApplication(pos, s.today(a.Zone), open, openCap(gs), prior)
}

// applyFacts refuses whom no position takes (not a student, placed, a mentor of its
// enterprise) and reads the position and the guild's settings.
func (s *Service) applyFacts(ctx context.Context, a Actor, positionID int64) (Position, GuildSettings, error) {
	if !a.Is(RoleStudent) {
		return Position{}, GuildSettings{}, Errorf(EFORBIDDEN, "err.student_only", nil)
	}
	if err := s.refusePlaced(ctx, a); err != nil {
		return Position{}, GuildSettings{}, err
	}
	gs, err := s.Store.FindGuildSettings(ctx, a.GuildID)
	if err != nil {
		return Position{}, GuildSettings{}, err
	}
	pos, err := s.Store.FindPosition(ctx, a.GuildID, positionID)
	if err != nil {
		return Position{}, GuildSettings{}, err
	}
	if a.MentorsFor(pos.EnterpriseID) {
		return Position{}, GuildSettings{}, Errorf(EFORBIDDEN, "apps.err_own_enterprise", map[string]any{"Enterprise": pos.EnterpriseName})
	}
	return pos, gs, nil
}

// refusePlaced refuses a student who holds an active placement: they can apply again, and be
// recommended positions, once it has ended.
func (s *Service) refusePlaced(ctx context.Context, a Actor) error {
	ps, err := s.Store.FindPlacements(ctx, a.GuildID, PlacementFilter{StudentID: a.UserID}, 1)
	if err != nil {
		return err
	}
	if len(ps) > 0 {
		return Errorf(ECONFLICT, "apps.err_already_placed", map[string]any{"Title": ps[0].PositionTitle, "Enterprise": ps[0].EnterpriseName})
	}
	return nil
}

func openCap(gs GuildSettings) int {
	if gs.OpenApplicationCap > 0 {
		return gs.OpenApplicationCap
	}
	return 10
}

func appKey(id int64, to Status, userID string) string {
	return "application:" + idStr(id) + ":" + string(to) + ":" + userID
}

// attemptKey is the dedup key of a notification about an application's move: an application
// applied to again goes through its statuses a second time, and is told of them again.
func attemptKey(app Application, to Status, userID string) string {
	if app.Reapplied() {
		return appKey(app.ID, to, userID) + ":2"
	}
	return appKey(app.ID, to, userID)
}

// Withdraw lets a student take back their own application that is not final.
func (s *Service) Withdraw(ctx context.Context, a Actor, appID int64, note string) (Application, error) {
	return s.studentMove(ctx, a, appID, Withdrawn, note)
}

// Accept lets the student take an offer; it then waits for a coordinator's approval.
func (s *Service) Accept(ctx context.Context, a Actor, appID int64) (Application, error) {
	return s.studentMove(ctx, a, appID, Accepted, "")
}

// Decline lets the student turn an offer down, freeing the slot.
func (s *Service) Decline(ctx context.Context, a Actor, appID int64, note string) (Application, error) {
	return s.studentMove(ctx, a, appID, Declined, note)
}

func (s *Service) studentMove(ctx context.Context, a Actor, appID int64, to Status, note string) (Application, error) {
	note, err := cleanText("reason", note, 0, 300)
	if err != nil {
		return Application{}, err
	}
	app, err := s.Store.FindApplication(ctx, a.GuildID, appID)
	if err != nil {
		return Application{}, err
	}
	if app.StudentID != a.UserID {
		return Application{}, Errorf(EFORBIDDEN, "err.not_your_application", nil)
	}
	if app.Status == Approved && to == Withdrawn {
		return Application{}, Errorf(ECONFLICT, "apps.err_withdraw_approved", nil)
	}
	return s.move(ctx, a, app, to, PartyStudent, note)
}

// Shortlist, Offer and Reject are the mentor's answers (coordinators may reject too).

// Shortlist marks an application as one the mentor is considering.
func (s *Service) Shortlist(ctx context.Context, a Actor, appID int64) (Application, error) {
	return s.mentorMove(ctx, a, appID, Shortlisted, "")
}

// Offer offers the student a slot; never more offers than slots.
func (s *Service) Offer(ctx context.Context, a Actor, appID int64) (Application, error) {
	return s.mentorMove(ctx, a, appID, Offered, "")
}

// Reject turns an application down with a reason the student sees.
func (s *Service) Reject(ctx context.Context, a Actor, appID int64, reason string) (Application, error) {
	reason, err := cleanText("reason", reason, 3, 300)
	if err != nil {
		return Application{}, err
	}
	return s.mentorMove(ctx, a, appID, Rejected, reason)
}

func (s *Service) mentorMove(ctx context.Context, a Actor, appID int64, to Status, note string) (Application, error) {
	app, err := s.Store.FindApplication(ctx, a.GuildID, appID)
	if err != nil {
		return Application{}, err
	}
	party := PartyMentor
	switch {
	case a.MentorsFor(app.EnterpriseID):
	case to == Rejected && a.Is(RoleCoordinator):
		party = PartyCoordinator
	default:
		return Application{}, Errorf(EFORBIDDEN, "err.not_your_position", nil)
	}
	return s.move(ctx, a, app, to, party, note)
}

// move applies one lifecycle transition with its notifications: the student hears of every
// change, the mentors of accepts, declines and withdrawals from an offer.
func (s *Service) move(ctx context.Context, a Actor, app Application, to Status, by Party, note string) (Application, error) {
	if !CanTransition(app.Status, to, by) {
		return Application{}, Errorf(ECONFLICT, "err.cannot_move", map[string]any{"From": string(app.Status), "To": string(to)})
	}
	var mentors []string
	if to == Accepted || to == Declined || to == Withdrawn || (to == Rejected && by == PartyCoordinator) {
		e, err := s.Store.FindEnterprise(ctx, a.GuildID, app.EnterpriseID)
		if err != nil {
			return Application{}, err
		}
		mentors = e.Mentors
	}
	gs, err := s.Store.FindGuildSettings(ctx, a.GuildID)
	if err != nil {
		return Application{}, err
	}
	at := s.Now()
	t := Transition{GuildID: a.GuildID, ApplicationID: app.ID, From: FromStatuses(to, by), To: to, ActorID: a.UserID, Note: note, At: at,
		Effects: func(before Application) Effects {
			notes := transitionNotes(before, to, note, mentors, expiryDays(gs))
			if to == Offered {
				// The student's offer DM names the moment it expires, shown in their own time.
				notes[0].Data["At"] = at.Add(time.Duration(expiryDays(gs)) * 24 * time.Hour).Unix()
			}
			return Audited(LifecycleAudit(before, before.Status, to, a.UserID, note, at), notes...)
		}}
	return s.Store.TransitionApplication(ctx, t)
}

func expiryDays(gs GuildSettings) int {
	if gs.OfferExpiryDays > 0 {
		return gs.OfferExpiryDays
	}
	return 7
}

func transitionNotes(app Application, to Status, note string, mentors []string, days int) []Notification {
	if to == Withdrawn && app.Status != Offered && app.Status != Accepted {
		mentors = nil // only a withdrawal that frees a slot needs the mentor's attention
	}
	data := map[string]any{"ID": app.ID, "Title": app.PositionTitle, "Enterprise": app.EnterpriseName, "Student": app.StudentID, "Reason": note, "Days": days}
	out := []Notification{{GuildID: app.GuildID, DedupKey: attemptKey(app, to, app.StudentID), UserID: app.StudentID,
		MessageKey: "note.app_" + string(to), Data: data}}
	for _, m := range mentors {
		out = append(out, Notification{GuildID: app.GuildID, DedupKey: attemptKey(app, to, m), UserID: m,
			MessageKey: "note.mentor_app_" + string(to), Data: data})
	}
	return out
}

// ExpireOffers expires offers left unanswered past their guild's period; safe to run on every
// replica at once, since each transition only happens if the offer is still open.
func (s *Service) ExpireOffers(ctx context.Context) (int, error) {
	due, err := s.Store.DueOffers(ctx, s.Now(), 100)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, app := range due {
		at := s.Now()
		t := Transition{GuildID: app.GuildID, ApplicationID: app.ID, From: []Status{Offered}, To: Expired, ActorID: "system", At: at,
			Effects: func(before Application) Effects {
				return Audited(LifecycleAudit(before, before.Status, Expired, "system", "", at), transitionNotes(before, Expired, "", nil, 0)...)
			}}
		if _, err := s.Store.TransitionApplication(ctx, t); err != nil {
			if ErrorCode(err) == ECONFLICT {
				continue // answered or expired elsewhere in the meantime
			}
			return n, err
		}
		n++
	}
	return n, nil
}

// OfferReminderBefore is how long before an unanswered offer expires its student is reminded.
const OfferReminderBefore = 24 * time.Hour

// RemindOffers reminds the students of offers that expire within OfferReminderBefore, once per
// offer; it decides nothing, so the reminder is queued on its own.
func (s *Service) RemindOffers(ctx context.Context) (int, error) {
	due, err := s.Store.ExpiringOffers(ctx, s.Now(), OfferReminderBefore, 100)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, app := range due {
		gs, err := s.Store.FindGuildSettings(ctx, app.GuildID)
		if err != nil {
			return n, err
		}
		queued, err := s.Store.QueueNotification(ctx, Notification{GuildID: app.GuildID, DedupKey: OfferReminderKey(app),
			UserID: app.StudentID, MessageKey: "jobs.note_offer_reminder",
			Data: map[string]any{"ID": app.ID, "Title": app.PositionTitle, "Enterprise": app.EnterpriseName, "At": offerExpires(app, gs).Unix()}})
		if err != nil {
			return n, err
		}
		if queued {
			n++
		}
	}
	return n, nil
}

// OfferReminderKey is the dedup key of the reminder about an application's offer: one per
// attempt, as an application is offered at most once per attempt.
func OfferReminderKey(app Application) string {
	key := "application:" + idStr(app.ID) + ":offer_reminder"
	if app.Reapplied() {
		key += ":2"
	}
	return key
}

// ApplicationWithEvents is an application and its timeline.
type ApplicationWithEvents struct {
	Application
	Events []Event
	Ended  *PlacementEnd // set when the placement it led to has ended
	// PlacedWith is, for an application the bot withdrew (PlacedElsewhere), the student's
	// application whose approval withdrew it.
	PlacedWith *Application
	// OfferExpires is when an offer expires unless the student answers it (zero otherwise).
	OfferExpires time.Time
}

// offerExpires is when the application's offer expires under the guild's settings.
func offerExpires(app Application, gs GuildSettings) time.Time {
	if app.Status != Offered || app.OfferedAt.IsZero() {
		return time.Time{}
	}
	return app.OfferedAt.Add(time.Duration(expiryDays(gs)) * 24 * time.Hour)
}

// placedWith finds, among the student's applications, the approved one whose approval
// withdrew app: the last approved at or before its withdrawal.
func placedWith(apps []Application, app Application) *Application {
	if app.Status != Withdrawn || app.Reason != PlacedElsewhere {
		return nil
	}
	var out *Application
	for i, o := range apps {
		if o.Status == Approved && !o.UpdatedAt.After(app.UpdatedAt) && (out == nil || o.UpdatedAt.After(out.UpdatedAt)) {
			out = &apps[i]
		}
	}
	return out
}

// PlacementEnd is when and why a placement ended.
type PlacementEnd struct {
	At     time.Time
	Reason string
}

// MyApplications lists the student's applications, offers waiting for an answer first (each
// with when it expires), then the others newest first, each with its timeline and, for one
// whose placement ended, when and why.
func (s *Service) MyApplications(ctx context.Context, a Actor) ([]ApplicationWithEvents, error) {
	apps, err := s.Store.StudentApplications(ctx, a.GuildID, a.UserID)
	if err != nil {
		return nil, err
	}
	gs, err := s.Store.FindGuildSettings(ctx, a.GuildID)
	if err != nil {
		return nil, err
	}
	ids := make([]int64, len(apps))
	for i, app := range apps {
		ids[i] = app.ID
	}
	evs, err := s.Store.ApplicationEvents(ctx, a.GuildID, ids)
	if err != nil {
		return nil, err
	}
	ends, err := s.Store.EndedPlacements(ctx, a.GuildID, a.UserID)
	if err != nil {
		return nil, err
	}
	out := make([]ApplicationWithEvents, len(apps))
	for i, app := range apps {
		out[i] = ApplicationWithEvents{Application: app, Events: evs[app.ID], PlacedWith: placedWith(apps, app), OfferExpires: offerExpires(app, gs)}
		if end, ok := ends[app.ID]; ok {
			out[i].Ended = &end
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Status == Offered && out[j].Status != Offered })
	return out, nil
}

// RankedApplicant is an applicant with their fit for the position.
type RankedApplicant struct {
	Applicant
	Fit Recommendation
}

// Applicants lists a position's applicants ranked by fit (open ones first); its mentors and
// coordinators only.
func (s *Service) Applicants(ctx context.Context, a Actor, positionID int64) (Position, []RankedApplicant, error) {
	pos, err := s.Store.FindPosition(ctx, a.GuildID, positionID)
	if err != nil {
		return Position{}, nil, err
	}
	if !a.MentorsFor(pos.EnterpriseID) && !a.Is(RoleCoordinator) {
		return Position{}, nil, Errorf(EFORBIDDEN, "err.not_your_position", nil)
	}
	apps, err := s.Store.PositionApplicants(ctx, a.GuildID, positionID)
	if err != nil {
		return Position{}, nil, err
	}
	out := make([]RankedApplicant, len(apps))
	for i, ap := range apps {
		out[i] = RankedApplicant{Applicant: ap, Fit: Fit(ap.Profile, pos)}
	}
	sort.SliceStable(out, func(i, j int) bool {
		oi, oj := out[i].Status.Open(), out[j].Status.Open()
		if oi != oj {
			return oi
		}
		return out[i].Fit.Score > out[j].Fit.Score
	})
	return pos, out, nil
}

// Application returns one application to its student, the position's mentors or coordinators.
func (s *Service) Application(ctx context.Context, a Actor, id int64) (ApplicationWithEvents, error) {
	app, err := s.Store.FindApplication(ctx, a.GuildID, id)
	if err != nil {
		return ApplicationWithEvents{}, err
	}
	if app.StudentID != a.UserID && !a.MentorsFor(app.EnterpriseID) && !a.Is(RoleCoordinator) {
		return ApplicationWithEvents{}, Errorf(EFORBIDDEN, "err.not_your_application", nil)
	}
	evs, err := s.Store.ApplicationEvents(ctx, a.GuildID, []int64{id})
	if err != nil {
		return ApplicationWithEvents{}, err
	}
	out := ApplicationWithEvents{Application: app, Events: evs[id]}
	if app.Status == Offered {
		gs, err := s.Store.FindGuildSettings(ctx, a.GuildID)
		if err != nil {
			return ApplicationWithEvents{}, err
		}
		out.OfferExpires = offerExpires(app, gs)
	}
	if app.Reason == PlacedElsewhere {
		apps, err := s.Store.StudentApplications(ctx, a.GuildID, app.StudentID)
		if err != nil {
			return ApplicationWithEvents{}, err
		}
		out.PlacedWith = placedWith(apps, app)
	}
	return out, nil
}

// SuggestApplications suggests, for an autocomplete, the applications the member may see
// whose number, position title or enterprise name contains what they typed: any of the
// guild's for a coordinator, those to their enterprises' positions for a mentor, their own
// for a student. Accepted ones come first (oldest first, as the approval queue), then the
// others newest first; finished ones only withFinal. One query.
func (s *Service) SuggestApplications(ctx context.Context, a Actor, typed string, withFinal bool) ([]Application, error) {
	f := ApplicationSuggest{Typed: typed, WithFinal: withFinal, Limit: 25}
	switch {
	case a.Is(RoleCoordinator):
	case a.Is(RoleMentor):
		f.EnterpriseIDs = a.EnterpriseIDs
	default:
		f.StudentID = a.UserID
	}
	return s.Store.SuggestApplications(ctx, a.GuildID, f)
}

// ApplicationSuggest narrows application suggestions: to the applications to the enterprises'
// positions when EnterpriseIDs is set, to the student's when StudentID is.
type ApplicationSuggest struct {
	Typed         string // lower-cased on use; "#12" and "12" also find application 12
	EnterpriseIDs []int64
	StudentID     string
	WithFinal     bool
	Limit         int
}
