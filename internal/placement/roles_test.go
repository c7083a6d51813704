package placement

import "testing"

func TestResolveActor(t *testing.T) {
	full := GuildSettings{GuildID: "1", CoordinatorRoleID: "10", MentorRoleID: "11", StudentRoleID: "12"}
	noStudent := GuildSettings{GuildID: "1", CoordinatorRoleID: "10", MentorRoleID: "11"}
	tests := []struct {
		name string
		gs   GuildSettings
		m    Member
		want Role
	}{
		{"coordinator by role", full, Member{RoleIDs: []string{"10"}}, RoleCoordinator},
		{"coordinator by Manage Server", full, Member{Permissions: PermManageGuild}, RoleCoordinator},
		{"coordinator by Administrator", full, Member{Permissions: PermAdministrator}, RoleCoordinator},
		{"mentor", full, Member{RoleIDs: []string{"11"}}, RoleMentor},
		{"student", full, Member{RoleIDs: []string{"12"}}, RoleStudent},
		{"no role when the student role is set", full, Member{RoleIDs: []string{"99"}}, 0},
		{"anyone is a student without a student role", noStudent, Member{RoleIDs: []string{"99"}}, RoleStudent},
		{"a mentor is not a student without a student role", noStudent, Member{RoleIDs: []string{"11"}}, RoleMentor},
		{"two roles", full, Member{RoleIDs: []string{"10", "12"}}, RoleCoordinator | RoleStudent},
		{"unset roles never match an empty id", GuildSettings{GuildID: "1", StudentRoleID: "12"}, Member{RoleIDs: []string{""}}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ResolveActor(tt.gs, tt.m).Roles; got != tt.want {
				t.Fatalf("roles %b, want %b", got, tt.want)
			}
		})
	}
}

func TestSettingsValidation(t *testing.T) {
	s := func(v string) *string { return &v }
	cur := GuildSettings{CoordinatorRoleID: "10", MentorRoleID: "11"}
	if err := cur.Apply(GuildSettingsUpdate{StudentRoleID: s("11")}).checkRolesDistinct(); ErrorCode(err) != EINVALID {
		t.Errorf("student role equal to the mentor role: got %v", err)
	}
	if err := cur.Apply(GuildSettingsUpdate{MentorRoleID: s(""), StudentRoleID: s("11")}).checkRolesDistinct(); err != nil {
		t.Errorf("moving a role from mentors to students: %v", err)
	}
	if err := (GuildSettingsUpdate{StudentRoleID: s("12a")}).validate(); ErrorCode(err) != EINVALID {
		t.Errorf("non-numeric id: got %v", err)
	}
	if err := (GuildSettingsUpdate{DigestChannelID: s("")}).validate(); err != nil {
		t.Errorf("clearing a channel: %v", err)
	}
}

func FuzzIsSnowflake(f *testing.F) {
	for _, s := range []string{"", "1", "123456789012345678", "12a", "-1", "123456789012345678901"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ok := IsSnowflake(s)
		if ok && (len(s) == 0 || len(s) > 20) {
			t.Fatalf("%q accepted", s)
		}
		for _, c := range s {
			if ok && (c < '0' || c > '9') {
				t.Fatalf("%q accepted", s)
			}
		}
	})
}
