package placement

import "context"

// NamedApplication is an application with its student's display name as last seen.
type NamedApplication struct {
	Application
	StudentName string
}

// ApplicationsByStudentName finds, for the audit's autocomplete, the applications of the
// students whose display name contains what the coordinator typed, newest first. Names are
// personal data: coordinators only, and only for their own guild.
func (s *Service) ApplicationsByStudentName(ctx context.Context, a Actor, name string) ([]NamedApplication, error) {
	if !a.Is(RoleCoordinator) {
		return nil, Errorf(EFORBIDDEN, "err.coordinator_only", nil)
	}
	name = truncate(trimSpace(name), 100)
	if name == "" {
		return nil, nil
	}
	return s.Store.ApplicationsByStudentName(ctx, a.GuildID, name, 25)
}
