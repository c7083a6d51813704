package postgres_test

import (
	"slices"
	"testing"

	"placementbot/internal/placement"
)

// Skills and programs are stored as typed and found whatever the casing on either side: the
// browse filters, the candidates of a recommendation and a saved profile.
func TestSkillsAndProgramsKeepCasingAndMatchAnyCase(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := t.Context()
	acme := f.enterprise(guildA, "Acme", placement.EnterpriseVerified)
	cnc := f.position(acme, func(p *placement.Position) {
		p.Title, p.Skills, p.Programs = "CNC Intern", []string{"CNC", "AutoCAD"}, []string{"Mechatronics"}
	})
	if got, err := f.store.FindPosition(ctx, guildA, cnc.ID); err != nil || !slices.Equal(got.Skills, []string{"CNC", "AutoCAD"}) || !slices.Equal(got.Programs, []string{"Mechatronics"}) {
		t.Fatalf("stored %q %q, %v; want them as typed", got.Skills, got.Programs, err)
	}
	browseCases(t, f.store, []browseCase{
		{"skill in another case", placement.PositionFilter{Skill: "autocad"}, []int64{cnc.ID}},
		{"skill as typed", placement.PositionFilter{Skill: "CNC"}, []int64{cnc.ID}},
		{"program in another case", placement.PositionFilter{Program: "MECHATRONICS"}, []int64{cnc.ID}},
	})

	student := f.user()
	saved, err := f.store.SaveProfile(ctx, placement.Profile{GuildID: guildA, UserID: student, Program: "Welding",
		Skills: []string{"cnc"}, Certificates: []string{"NVQ Level 2"}}, profileFx(guildA, student))
	if err != nil {
		t.Fatal(err)
	}
	if got, err := f.store.FindProfile(ctx, guildA, student); err != nil || !slices.Equal(got.Certificates, []string{"NVQ Level 2"}) {
		t.Fatalf("profile %+v, %v; want the certificate as typed", got, err)
	}
	if ps, err := f.store.CandidatePositions(ctx, guildA, saved, 10, today); err != nil || len(ps) != 1 || ps[0].ID != cnc.ID {
		t.Fatalf("candidates for skill cnc: %v, %v; want the CNC position", idsOf(ps, positionID), err)
	}
	saved.Skills, saved.Program = nil, "mechatronics"
	if ps, err := f.store.CandidatePositions(ctx, guildA, saved, 10, today); err != nil || len(ps) != 1 {
		t.Fatalf("candidates for program mechatronics: %v, %v", idsOf(ps, positionID), err)
	}
}
