package placement

import (
	"context"
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

// LinkMentor makes a member a mentor of a verified enterprise; coordinators only.
func (s *Service) LinkMentor(ctx context.Context, a Actor, enterpriseID int64, userID string) (Enterprise, error) {
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
	if e.Status != EnterpriseVerified {
		return Enterprise{}, Errorf(ECONFLICT, "err.enterprise_not_verified", map[string]any{"Name": e.Name})
	}
	fx := Audited(s.enterpriseAudit(a, e.ID, "enterprise.link_mentor", map[string]any{"user_id": userID}),
		Notification{GuildID: a.GuildID, DedupKey: "enterprise:" + idStr(e.ID) + ":mentor:" + userID, UserID: userID,
			MessageKey: "note.mentor_linked", Data: map[string]any{"Name": e.Name}})
	err = s.Store.LinkMentor(ctx, a.GuildID, e.ID, userID, a.UserID, fx)
	s.facts().Forget(ctx, a.GuildID, userID)
	if err != nil {
		return Enterprise{}, err
	}
	return s.Store.FindEnterprise(ctx, a.GuildID, e.ID)
}

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
	f := EnterpriseFilter{Status: EnterpriseVerified, Prefix: truncate(prefix, 100), Limit: 25}
	if pending && a.Is(RoleCoordinator) {
		f.Status = EnterprisePending
	}
	return s.Store.FindEnterprises(ctx, a.GuildID, f)
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
