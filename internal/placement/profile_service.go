package placement

import "context"

// SaveProfile stores the student's own profile.
func (s *Service) SaveProfile(ctx context.Context, a Actor, in ProfileInput) (Profile, error) {
	if !a.Is(RoleStudent) {
		return Profile{}, Errorf(EFORBIDDEN, "err.student_only", nil)
	}
	p, err := in.Parse()
	if err != nil {
		return Profile{}, err
	}
	p.GuildID, p.UserID = a.GuildID, a.UserID
	return s.Store.SaveProfile(ctx, p)
}

// Profile shows a student's profile to the student, to coordinators, and to mentors of an
// enterprise the student applied to; to nobody else.
func (s *Service) Profile(ctx context.Context, a Actor, studentID string) (Profile, error) {
	if !IsSnowflake(studentID) {
		return Profile{}, Errorf(EINVALID, "err.bad_id", nil)
	}
	if studentID != a.UserID && !a.Is(RoleCoordinator) {
		ok := false
		if a.Is(RoleMentor) {
			var err error
			if ok, err = s.Store.HasAppliedTo(ctx, a.GuildID, studentID, a.EnterpriseIDs); err != nil {
				return Profile{}, err
			}
		}
		if !ok {
			return Profile{}, Errorf(EFORBIDDEN, "err.profile_private", nil)
		}
	}
	return s.Store.FindProfile(ctx, a.GuildID, studentID)
}
