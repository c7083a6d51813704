package placement

import (
	"context"
	"regexp"
	"strings"
)

// Compliance returns the guild's approval gates; coordinators only.
func (s *Service) Compliance(ctx context.Context, a Actor) (Compliance, error) {
	if !a.Is(RoleCoordinator) {
		return Compliance{}, Errorf(EFORBIDDEN, "err.coordinator_only", nil)
	}
	return s.Store.FindCompliance(ctx, a.GuildID)
}

// UpdateCompliance changes the checklist, the intern quota or whether mentors may tick items.
func (s *Service) UpdateCompliance(ctx context.Context, a Actor, in ComplianceInput) (Compliance, error) {
	if !a.Is(RoleCoordinator) {
		return Compliance{}, Errorf(EFORBIDDEN, "err.coordinator_only", nil)
	}
	if in.Checklist == nil && in.QuotaPercent == nil && in.MentorsTick == nil {
		return Compliance{}, Errorf(EINVALID, "err.setup_nothing_to_change", nil)
	}
	cur, err := s.Store.FindCompliance(ctx, a.GuildID)
	if err != nil {
		return Compliance{}, err
	}
	next, err := in.Apply(cur)
	if err != nil {
		return Compliance{}, err
	}
	// Removing an item that open applications have ticked makes their ticks stop counting:
	// the coordinator confirms it first.
	if removed := cur.Removed(next); len(removed) > 0 && !in.ConfirmRemoval {
		keys := make([]string, len(removed))
		for i, it := range removed {
			keys[i] = CheckKey(it)
		}
		n, err := s.Store.CountTicks(ctx, a.GuildID, keys)
		if err != nil {
			return Compliance{}, err
		}
		if n > 0 {
			return Compliance{}, Errorf(ECONFLICT, "err.checklist_remove_ticked", map[string]any{"Items": strings.Join(removed, ", "), "Count": n})
		}
	}
	ev := s.audit(a, "setup.compliance", "guild:"+a.GuildID, map[string]any{
		"checklist": next.Checklist, "intern_quota_percent": next.InternQuotaPercent, "mentors_tick_checks": next.MentorsTickChecks})
	return s.Store.UpdateCompliance(ctx, a.GuildID, next, Audited(ev))
}

// TickCheck ticks (or clears) one checklist item of an application: coordinators, and the
// position's mentors where the guild allows it.
func (s *Service) TickCheck(ctx context.Context, a Actor, appID int64, item string, done bool) ([]string, error) {
	app, err := s.Store.FindApplication(ctx, a.GuildID, appID)
	if err != nil {
		return nil, err
	}
	c, err := s.Store.FindCompliance(ctx, a.GuildID)
	if err != nil {
		return nil, err
	}
	if !a.Is(RoleCoordinator) && !(c.MentorsTickChecks && a.MentorsFor(app.EnterpriseID)) {
		return nil, Errorf(EFORBIDDEN, "err.tick_not_allowed", nil)
	}
	it, ok := c.Item(item)
	if !ok {
		return nil, Errorf(EINVALID, "err.check_unknown", map[string]any{"Item": truncate(item, 40), "Items": strings.Join(c.Checklist, ", ")})
	}
	item = CheckKey(it)
	action := "checklist.tick"
	if !done {
		action = "checklist.untick"
	}
	at := s.Now()
	ev := AuditEvent{GuildID: a.GuildID, ActorID: a.UserID, Action: action, Subject: ApplicationSubject(appID), Detail: map[string]any{"item": item}, At: at}
	return s.Store.TickCheck(ctx, Tick{GuildID: a.GuildID, ApplicationID: appID, Item: item, Done: done, ActorID: a.UserID, At: at}, Audited(ev))
}

// HostingQuota is how many interns the enterprise may host at once under the guild's quota,
// for coordinators and its mentors: a staff too small for a single intern is better told when
// the enterprise is added or posts than found at approval.
func (s *Service) HostingQuota(ctx context.Context, a Actor, enterpriseID int64) (Quota, error) {
	if !a.Is(RoleCoordinator) && !a.MentorsFor(enterpriseID) {
		return Quota{}, Errorf(EFORBIDDEN, "err.not_your_enterprise", nil)
	}
	e, err := s.Store.FindEnterprise(ctx, a.GuildID, enterpriseID)
	if err != nil {
		return Quota{}, err
	}
	c, err := s.Store.FindCompliance(ctx, a.GuildID)
	if err != nil {
		return Quota{}, err
	}
	return Quota{Enterprise: e.Name, Staff: e.StaffSize, Percent: c.InternQuotaPercent, Interns: c.QuotaFor(e.StaffSize)}, nil
}

// ApprovalQueue lists accepted offers oldest first with what each still lacks; coordinators only.
func (s *Service) ApprovalQueue(ctx context.Context, a Actor, f QueueFilter, after QueueCursor) (QueuePage, error) {
	if !a.Is(RoleCoordinator) {
		return QueuePage{}, Errorf(EFORBIDDEN, "err.coordinator_only", nil)
	}
	c, err := s.Store.FindCompliance(ctx, a.GuildID)
	if err != nil {
		return QueuePage{}, err
	}
	f.Program = strings.ToLower(strings.TrimSpace(truncate(f.Program, 80)))
	page, err := s.Store.ApprovalQueue(ctx, a.GuildID, f, after, 5)
	if err != nil {
		return QueuePage{}, err
	}
	for i := range page.Items {
		page.Items[i].Missing = c.Missing(page.Items[i].Ticked)
	}
	return page, nil
}

// Approve turns an accepted offer into a placement; coordinators only. It refuses, naming
// what is missing, while the checklist is incomplete or the enterprise is at its quota.
func (s *Service) Approve(ctx context.Context, a Actor, appID int64) (Placement, error) {
	if !a.Is(RoleCoordinator) {
		return Placement{}, Errorf(EFORBIDDEN, "err.coordinator_only", nil)
	}
	c, err := s.Store.FindCompliance(ctx, a.GuildID)
	if err != nil {
		return Placement{}, err
	}
	app, err := s.Store.FindApplication(ctx, a.GuildID, appID)
	if err != nil {
		return Placement{}, err
	}
	e, err := s.Store.FindEnterprise(ctx, a.GuildID, app.EnterpriseID)
	if err != nil {
		return Placement{}, err
	}
	if err := e.checkVerified(); err != nil {
		return Placement{}, err
	}
	others, err := s.otherMentors(ctx, app)
	if err != nil {
		return Placement{}, err
	}
	at := s.Now()
	return s.Store.ApproveApplication(ctx, Approval{GuildID: a.GuildID, ApplicationID: appID, ActorID: a.UserID, At: at, Compliance: c,
		Effects: func(before Application, _ Placement) Effects {
			return Audited(LifecycleAudit(before, before.Status, Approved, a.UserID, "", at), transitionNotes(before, Approved, "", e.Mentors, 0)...)
		},
		Withdrawn: func(other Application) Effects {
			data := map[string]any{"ID": other.ID, "Title": other.PositionTitle, "Enterprise": other.EnterpriseName, "Placed": app.PositionTitle,
				"Student": other.StudentID}
			notes := []Notification{{GuildID: a.GuildID, DedupKey: attemptKey(other, Withdrawn, other.StudentID), UserID: other.StudentID,
				MessageKey: "note.app_withdrawn_placed", Data: data}}
			for _, m := range others[other.EnterpriseID] {
				notes = append(notes, Notification{GuildID: a.GuildID, DedupKey: attemptKey(other, Withdrawn, m), UserID: m,
					MessageKey: "note.mentor_app_withdrawn_placed", Data: data})
			}
			return Audited(LifecycleAudit(other, other.Status, Withdrawn, a.UserID, PlacedElsewhere, at), notes...)
		},
	})
}

// otherMentors maps the enterprises of the student's other open applications to their mentors,
// who hear that approving this one withdraws those.
func (s *Service) otherMentors(ctx context.Context, app Application) (map[int64][]string, error) {
	apps, err := s.Store.StudentApplications(ctx, app.GuildID, app.StudentID)
	if err != nil {
		return nil, err
	}
	out := map[int64][]string{}
	for _, other := range apps {
		if _, done := out[other.EnterpriseID]; done || other.ID == app.ID || !other.Status.Open() {
			continue
		}
		e, err := s.Store.FindEnterprise(ctx, app.GuildID, other.EnterpriseID)
		if err != nil {
			return nil, err
		}
		out[other.EnterpriseID] = e.Mentors
	}
	return out, nil
}

// Placements lists placements; coordinators only.
func (s *Service) Placements(ctx context.Context, a Actor, f PlacementFilter) ([]Placement, error) {
	if !a.Is(RoleCoordinator) {
		return nil, Errorf(EFORBIDDEN, "err.coordinator_only", nil)
	}
	return s.Store.FindPlacements(ctx, a.GuildID, f, 100)
}

// MyPlacement returns the student's active placement, if any (ENOTFOUND otherwise).
func (s *Service) MyPlacement(ctx context.Context, a Actor) (Placement, error) {
	ps, err := s.Store.FindPlacements(ctx, a.GuildID, PlacementFilter{StudentID: a.UserID}, 1)
	if err != nil {
		return Placement{}, err
	}
	if len(ps) == 0 {
		return Placement{}, Errorf(ENOTFOUND, "err.no_active_placement", nil)
	}
	return ps[0], nil
}

// AssignSupervisor makes a member the placement's school supervisor; coordinators only. The
// transport checks the member belongs to the guild and gives their current roles; a supervisor
// is a coordinator or holds the guild's supervisor role, and is never the placement's student.
// Both mentors are told.
func (s *Service) AssignSupervisor(ctx context.Context, a Actor, placementID int64, m Member) (Placement, error) {
	if !a.Is(RoleCoordinator) {
		return Placement{}, Errorf(EFORBIDDEN, "err.coordinator_only", nil)
	}
	userID := m.UserID
	if !IsSnowflake(userID) {
		return Placement{}, Errorf(EINVALID, "err.bad_id", nil)
	}
	p, err := s.Store.FindPlacement(ctx, a.GuildID, placementID)
	if err != nil {
		return Placement{}, err
	}
	if p.Status != PlacementActive {
		return Placement{}, Errorf(ECONFLICT, "err.placement_not_active", nil)
	}
	if userID == p.StudentID {
		return Placement{}, Errorf(EINVALID, "err.supervisor_is_student", map[string]any{"User": userID})
	}
	gs, err := s.Store.FindGuildSettings(ctx, a.GuildID)
	if err != nil {
		return Placement{}, err
	}
	if !gs.CanSupervise(m) {
		return Placement{}, Errorf(EINVALID, "err.supervisor_not_eligible", map[string]any{"User": userID, "Role": gs.SupervisorRoleID})
	}
	data := map[string]any{"ID": p.ID, "Title": p.PositionTitle, "Enterprise": p.EnterpriseName, "Student": p.StudentID,
		"Supervisor": userID, "Mentor": p.MentorID}
	key := "placement:" + idStr(p.ID) + ":supervisor:" + userID
	notes := []Notification{{GuildID: a.GuildID, DedupKey: key, UserID: userID, MessageKey: "note.supervisor_assigned", Data: data}}
	if p.MentorID != "" {
		notes = append(notes, Notification{GuildID: a.GuildID, DedupKey: key + ":mentor", UserID: p.MentorID, MessageKey: "note.mentor_supervisor_assigned", Data: data})
	}
	ev := s.placementAudit(a, p, "placement.supervisor", map[string]any{"supervisor_id": userID, "student_id": p.StudentID})
	return s.Store.SetSupervisor(ctx, a.GuildID, placementID, userID, Audited(ev, notes...))
}

// RequestEnd lets a student ask to end their active placement early (asking again replaces the
// reason); coordinators hear of it in the digest channel and decide.
func (s *Service) RequestEnd(ctx context.Context, a Actor, placementID int64, reason string) (Placement, error) {
	reason, err := cleanText("reason", reason, 3, 300)
	if err != nil {
		return Placement{}, err
	}
	p, err := s.Store.FindPlacement(ctx, a.GuildID, placementID)
	if err != nil {
		return Placement{}, err
	}
	if p.StudentID != a.UserID {
		return Placement{}, Errorf(EFORBIDDEN, "err.not_your_placement", nil)
	}
	if p.Status != PlacementActive {
		return Placement{}, Errorf(ECONFLICT, "err.placement_not_active", nil)
	}
	gs, err := s.Store.FindGuildSettings(ctx, a.GuildID)
	if err != nil {
		return Placement{}, err
	}
	// The channel hears that the placement has a request, once, and nothing of who asks or
	// why: the reason is shown to coordinators in /placements list.
	var notes []Notification
	if gs.DigestChannelID != "" {
		notes = append(notes, Notification{GuildID: a.GuildID, DedupKey: "placement:" + idStr(p.ID) + ":end_requested",
			ChannelID: gs.DigestChannelID, MessageKey: "note.end_requested", Locale: a.Locale, Data: map[string]any{"ID": p.ID}})
	}
	ev := s.placementAudit(a, p, "placement.end_requested", map[string]any{"reason": reason, "student_id": p.StudentID})
	return s.Store.RequestEnd(ctx, a.GuildID, placementID, reason, Audited(ev, notes...))
}

// EndPlacement ends a placement early; coordinators only. The slot frees up, and the student,
// mentor and supervisor are told.
func (s *Service) EndPlacement(ctx context.Context, a Actor, placementID int64, reason string) (Placement, error) {
	if !a.Is(RoleCoordinator) {
		return Placement{}, Errorf(EFORBIDDEN, "err.coordinator_only", nil)
	}
	reason, err := cleanText("reason", reason, 3, 300)
	if err != nil {
		return Placement{}, err
	}
	p, err := s.Store.FindPlacement(ctx, a.GuildID, placementID)
	if err != nil {
		return Placement{}, err
	}
	data := map[string]any{"ID": p.ID, "Title": p.PositionTitle, "Enterprise": p.EnterpriseName, "Student": p.StudentID, "Reason": reason}
	var notes []Notification
	for _, u := range []string{p.StudentID, p.MentorID, p.SupervisorID} {
		if u != "" {
			notes = append(notes, Notification{GuildID: a.GuildID, DedupKey: "placement:" + idStr(p.ID) + ":ended:" + u, UserID: u,
				MessageKey: "note.placement_ended", Data: data})
		}
	}
	ev := s.placementAudit(a, p, "placement.ended", map[string]any{"reason": reason, "student_id": p.StudentID})
	return s.Store.EndPlacement(ctx, a.GuildID, placementID, reason, Audited(ev, notes...))
}

// placementAudit is an audit event by the actor about a placement, in its enterprise's trail too.
func (s *Service) placementAudit(a Actor, p Placement, action string, detail map[string]any) AuditEvent {
	ev := s.audit(a, action, PlacementSubject(p.ID), detail)
	ev.EnterpriseID = p.EnterpriseID
	return ev
}

// auditSubject matches the subjects the trail can be read by.
var auditSubject = regexp.MustCompile(`^(application|enterprise|placement|position):[1-9][0-9]{0,18}$|^student:[0-9]{1,20}$`)

// Audit returns the decision trail of an application, student, enterprise, position or
// placement; coordinators only.
func (s *Service) Audit(ctx context.Context, a Actor, subject string) ([]AuditEntry, error) {
	if !a.Is(RoleCoordinator) {
		return nil, Errorf(EFORBIDDEN, "err.coordinator_only", nil)
	}
	if !auditSubject.MatchString(subject) {
		return nil, Errorf(EINVALID, "err.audit_subject", nil)
	}
	return s.Store.AuditTrail(ctx, a.GuildID, subject, 200)
}

// Checklist returns an application, the guild's compliance and the items ticked so far, to a
// member who may tick them: a coordinator, or a mentor of the position's enterprise when the
// guild lets mentors tick.
func (s *Service) Checklist(ctx context.Context, a Actor, appID int64) (ApplicationWithEvents, Compliance, []string, error) {
	app, err := s.Application(ctx, a, appID)
	if err != nil {
		return app, Compliance{}, nil, err
	}
	c, err := s.Store.FindCompliance(ctx, a.GuildID)
	if err != nil {
		return app, c, nil, err
	}
	if !a.Is(RoleCoordinator) && !(c.MentorsTickChecks && a.MentorsFor(app.EnterpriseID)) {
		return app, c, nil, Errorf(EFORBIDDEN, "err.tick_not_allowed", nil)
	}
	ticked, err := s.Store.Checks(ctx, a.GuildID, appID)
	return app, c, ticked, err
}

// Placement returns one placement; coordinators only.
func (s *Service) Placement(ctx context.Context, a Actor, id int64) (Placement, error) {
	if !a.Is(RoleCoordinator) {
		return Placement{}, Errorf(EFORBIDDEN, "err.coordinator_only", nil)
	}
	return s.Store.FindPlacement(ctx, a.GuildID, id)
}
