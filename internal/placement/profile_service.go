package placement

import "context"

// SaveProfile stores the student's own profile. The edit is audited, naming the student but not
// what they wrote: the trail shows that and when a profile changed, and the profile itself stays
// the one place its contents live (so deleting a student's data deletes them).
func (s *Service) SaveProfile(ctx context.Context, a Actor, in ProfileInput) (Profile, error) {
	if !a.Is(RoleStudent) {
		return Profile{}, Errorf(EFORBIDDEN, "err.student_only", nil)
	}
	p, err := in.Parse()
	if err != nil {
		return Profile{}, err
	}
	p.GuildID, p.UserID = a.GuildID, a.UserID
	return s.Store.SaveProfile(ctx, p, Audited(s.audit(a, "profile.saved", StudentSubject(a.UserID), map[string]any{"student_id": a.UserID})))
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
