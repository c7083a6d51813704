package placement

import (
	"context"
	"slices"
	"strconv"
)

// AddEnterprise records a verified enterprise; coordinators only.
func (s *Service) AddEnterprise(ctx context.Context, a Actor, in EnterpriseInput) (Enterprise, error) {
	if !a.Is(RoleCoordinator) {
		return Enterprise{}, Errorf(EFORBIDDEN, "err.coordinator_only", nil)
	}
	if err := in.Validate(); err != nil {
		return Enterprise{}, err
	}
	e := in.enterprise(a.GuildID, EnterpriseVerified, "")
	return s.Store.CreateEnterprise(ctx, e, func(e Enterprise) Effects {
		return Audited(s.enterpriseAudit(a, e.ID, "enterprise.add", map[string]any{"name": e.Name}))
	})
}

// RequestEnterprise lets a member with the mentor role ask for their enterprise to be added;
// coordinators hear of it in the digest channel.
func (s *Service) RequestEnterprise(ctx context.Context, a Actor, in EnterpriseInput) (Enterprise, error) {
	if !a.MentorRole {
		return Enterprise{}, Errorf(EFORBIDDEN, "err.mentor_role_only", nil)
	}
	if err := in.Validate(); err != nil {
		return Enterprise{}, err
	}
	gs, err := s.Store.FindGuildSettings(ctx, a.GuildID)
	if err != nil {
		return Enterprise{}, err
	}
	e := in.enterprise(a.GuildID, EnterprisePending, a.UserID)
	effects := func(e Enterprise) Effects {
		fx := Audited(s.enterpriseAudit(a, e.ID, "enterprise.request", map[string]any{"name": e.Name}))
		if gs.DigestChannelID != "" {
			fx.Notes = []Notification{{GuildID: a.GuildID, DedupKey: "enterprise:" + idStr(e.ID) + ":requested", ChannelID: gs.DigestChannelID,
				MessageKey: "note.enterprise_requested", Locale: a.Locale,
				Data: map[string]any{"Name": e.Name, "City": e.City, "ID": e.ID}}}
		}
		return fx
	}
	return s.Store.CreateEnterprise(ctx, e, effects)
}

// VerifyEnterprise accepts or refuses a requested enterprise; coordinators only.
// Verifying links the requesting mentor to it.
func (s *Service) VerifyEnterprise(ctx context.Context, a Actor, id int64, approve bool, note string) (Enterprise, error) {
	if !a.Is(RoleCoordinator) {
		return Enterprise{}, Errorf(EFORBIDDEN, "err.coordinator_only", nil)
	}
	note, err := cleanText("reason", note, 0, 300)
	if err != nil {
		return Enterprise{}, err
	}
	status, key := EnterpriseVerified, "note.enterprise_verified"
	if !approve {
		status, key = EnterpriseRefused, "note.enterprise_refused"
	}
	effects := func(e Enterprise) Effects {
		return Audited(s.enterpriseAudit(a, e.ID, "enterprise."+string(status), map[string]any{"note": note}),
			Notification{GuildID: a.GuildID, DedupKey: "enterprise:" + idStr(e.ID) + ":" + string(status), UserID: e.RequestedBy,
				MessageKey: key, Data: map[string]any{"Name": e.Name, "Reason": note}})
	}
	defer s.facts().Forget(ctx, a.GuildID, "") // verifying links the requester as a mentor
	return s.Store.DecideEnterprise(ctx, a.GuildID, id, status, note, a.UserID, effects)
}

// LinkMentor makes a member a mentor of a verified enterprise; coordinators only. A member who
// is a mentor of it already is told so (err.already_mentor) and nothing is written.
func (s *Service) LinkMentor(ctx context.Context, a Actor, enterpriseID int64, userID string) (Enterprise, error) {
	unlinked := func(e Enterprise) error {
		if err := e.checkVerified(); err != nil {
			return err
		}
		if slices.Contains(e.Mentors, userID) {
			return Errorf(ECONFLICT, "err.already_mentor", map[string]any{"User": userID, "Name": e.Name})
		}
		return nil
	}
	return s.changeMentor(ctx, a, enterpriseID, userID, unlinked, func(e Enterprise) error {
		// The key carries the time: a mentor unlinked and linked again is told again.
		fx := Audited(s.enterpriseAudit(a, e.ID, "enterprise.link_mentor", map[string]any{"user_id": userID}),
			Notification{GuildID: a.GuildID, DedupKey: "enterprise:" + idStr(e.ID) + ":mentor:" + userID + ":" + s.stamp(), UserID: userID,
				MessageKey: "note.mentor_linked", Data: map[string]any{"Name": e.Name}})
		return s.Store.LinkMentor(ctx, a.GuildID, e.ID, userID, a.UserID, fx)
	})
}

// UnlinkMentor removes a member from an enterprise's mentors (one who left the company);
// coordinators only. They lose their mentor rights for it on their next interaction, on every
// replica, and are told by DM.
func (s *Service) UnlinkMentor(ctx context.Context, a Actor, enterpriseID int64, userID string) (Enterprise, error) {
	linked := func(e Enterprise) error {
		if !slices.Contains(e.Mentors, userID) {
			return Errorf(ECONFLICT, "err.not_linked_mentor", map[string]any{"User": userID, "Name": e.Name})
		}
		return nil
	}
	return s.changeMentor(ctx, a, enterpriseID, userID, linked, func(e Enterprise) error {
		fx := Audited(s.enterpriseAudit(a, e.ID, "enterprise.unlink_mentor", map[string]any{"user_id": userID}),
			Notification{GuildID: a.GuildID, DedupKey: "enterprise:" + idStr(e.ID) + ":unlinked:" + userID + ":" + s.stamp(), UserID: userID,
				MessageKey: "note.mentor_unlinked", Data: map[string]any{"Name": e.Name}})
		return s.Store.UnlinkMentor(ctx, a.GuildID, e.ID, userID, fx)
	})
}

// changeMentor links or unlinks a member (change) for a coordinator, once check allows it on
// the enterprise, and returns the enterprise as it is then. The member's cached facts are
// dropped on every replica whether or not the change went through.
func (s *Service) changeMentor(ctx context.Context, a Actor, enterpriseID int64, userID string, check, change func(Enterprise) error) (Enterprise, error) {
	if !a.Is(RoleCoordinator) {
		return Enterprise{}, Errorf(EFORBIDDEN, "err.coordinator_only", nil)
	}
	if !IsSnowflake(userID) {
		return Enterprise{}, Errorf(EINVALID, "err.bad_id", nil)
	}
	e, err := s.Store.FindEnterprise(ctx, a.GuildID, enterpriseID)
	if err != nil {
		return Enterprise{}, err
	}
	if err := check(e); err != nil {
		return Enterprise{}, err
	}
	err = change(e)
	s.facts().Forget(ctx, a.GuildID, userID)
	if err != nil {
		return Enterprise{}, err
	}
	return s.Store.FindEnterprise(ctx, a.GuildID, e.ID)
}

// SuspendEnterprise suspends a verified enterprise (suspend) or restores a suspended one;
// coordinators only. While suspended its positions are closed and take no applications, and
// its mentors have no mentor rights for it; restoring reopens the positions the suspension
// closed. Its mentors are told by DM; the change takes effect on every replica at once.
func (s *Service) SuspendEnterprise(ctx context.Context, a Actor, id int64, suspend bool, reason string) (Enterprise, error) {
	if !a.Is(RoleCoordinator) {
		return Enterprise{}, Errorf(EFORBIDDEN, "err.coordinator_only", nil)
	}
	reason, err := cleanText("reason", reason, 0, 300)
	if err != nil {
		return Enterprise{}, err
	}
	action, key := "enterprise.suspended", "note.enterprise_suspended"
	if !suspend {
		action, key = "enterprise.restored", "note.enterprise_restored"
	}
	stamp := s.stamp()
	effects := func(e Enterprise) Effects {
		fx := Audited(s.enterpriseAudit(a, e.ID, action, map[string]any{"reason": reason}))
		for _, m := range e.Mentors {
			fx.Notes = append(fx.Notes, Notification{GuildID: a.GuildID, DedupKey: "enterprise:" + idStr(e.ID) + ":" + action + ":" + m + ":" + stamp,
				UserID: m, MessageKey: key, Data: map[string]any{"Name": e.Name, "Reason": reason}})
		}
		return fx
	}
	// Every member's facts name the verified enterprises they mentor: all replicas read them again.
	defer s.facts().Forget(ctx, a.GuildID, "")
	return s.Store.SuspendEnterprise(ctx, a.GuildID, id, suspend, reason, s.today(a.Zone), effects)
}

// checkVerified refuses an enterprise that is not verified, saying whether it is suspended or
// not verified yet.
func (e Enterprise) checkVerified() error {
	switch e.Status {
	case EnterpriseVerified:
		return nil
	case EnterpriseSuspended:
		return Errorf(ECONFLICT, "err.enterprise_suspended", map[string]any{"Name": e.Name})
	}
	return Errorf(ECONFLICT, "err.enterprise_not_verified", map[string]any{"Name": e.Name})
}

// stamp is now, to the microsecond, for the dedup keys of changes that may be made again.
func (s *Service) stamp() string { return s.Now().UTC().Format("20060102150405.000000") }

// Enterprises lists the guild's enterprises; coordinators only.
func (s *Service) Enterprises(ctx context.Context, a Actor, f EnterpriseFilter) ([]Enterprise, error) {
	if !a.Is(RoleCoordinator) {
		return nil, Errorf(EFORBIDDEN, "err.coordinator_only", nil)
	}
	return s.Store.FindEnterprises(ctx, a.GuildID, f)
}

// SuggestEnterprises finds enterprises by name for autocomplete: verified ones for everyone,
// pending ones too for coordinators (who verify them).
func (s *Service) SuggestEnterprises(ctx context.Context, a Actor, prefix string, pending bool) ([]Enterprise, error) {
	status := EnterpriseVerified
	if pending {
		status = EnterprisePending
	}
	return s.SuggestEnterprisesIn(ctx, a, prefix, status)
}

// SuggestEnterprisesIn finds enterprises with the status by name, for autocomplete: verified
// ones for everyone, any status for coordinators (who verify, suspend and restore them).
func (s *Service) SuggestEnterprisesIn(ctx context.Context, a Actor, prefix string, status EnterpriseStatus) ([]Enterprise, error) {
	if !a.Is(RoleCoordinator) {
		status = EnterpriseVerified
	}
	return s.Store.FindEnterprises(ctx, a.GuildID, EnterpriseFilter{Status: status, Prefix: truncate(prefix, 100), Limit: 25})
}

func (in EnterpriseInput) enterprise(guildID string, st EnterpriseStatus, requestedBy string) Enterprise {
	return Enterprise{GuildID: guildID, Name: in.Name, Industry: in.Industry, City: in.City, Description: in.Description,
		StaffSize: in.StaffSize, Status: st, RequestedBy: requestedBy}
}

// audit is an audit event by the actor, now.
func (s *Service) audit(a Actor, action, subject string, detail map[string]any) AuditEvent {
	return AuditEvent{GuildID: a.GuildID, ActorID: a.UserID, Action: action, Subject: subject, Detail: detail, At: s.Now()}
}

// enterpriseAudit is an audit event by the actor about an enterprise.
func (s *Service) enterpriseAudit(a Actor, id int64, action string, detail map[string]any) AuditEvent {
	ev := s.audit(a, action, EnterpriseSubject(id), detail)
	ev.EnterpriseID = id
	return ev
}

func idStr(id int64) string { return strconv.FormatInt(id, 10) }

// Enterprise returns one enterprise: verified ones to every member, any to coordinators.
func (s *Service) Enterprise(ctx context.Context, a Actor, id int64) (Enterprise, error) {
	e, err := s.Store.FindEnterprise(ctx, a.GuildID, id)
	if err != nil {
		return Enterprise{}, err
	}
	if e.Status != EnterpriseVerified && !a.Is(RoleCoordinator) {
		return Enterprise{}, Errorf(ENOTFOUND, "err.enterprise_not_found", nil)
	}
	return e, nil
}
