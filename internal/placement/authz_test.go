package placement_test

import (
	"context"
	"reflect"
	"slices"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"placementbot/internal/placement"
	"placementbot/internal/postgres"
	"placementbot/internal/testenv"
)

// The roles a member can hold towards one student's application at one enterprise.
const (
	coordinator    = "coordinator"
	mentor         = "mentor of the enterprise"
	otherMentor    = "mentor of another enterprise"
	unlinkedMentor = "mentor role, no enterprise"
	student        = "the student concerned"
	otherStudent   = "another student"
	noRoles        = "member without roles"
	otherGuild     = "coordinator of another guild"
)

var roles = []string{coordinator, mentor, otherMentor, unlinkedMentor, student, otherStudent, noRoles, otherGuild}

// The members of every world; user ids are the same in every guild, as Discord's are.
var members = map[string]placement.Member{
	coordinator:    {UserID: "910000000000000001", Permissions: placement.PermManageGuild},
	mentor:         {UserID: "910000000000000002", RoleIDs: []string{mentorRole}},
	otherMentor:    {UserID: "910000000000000003", RoleIDs: []string{mentorRole}},
	unlinkedMentor: {UserID: "910000000000000004", RoleIDs: []string{mentorRole}},
	student:        {UserID: "910000000000000005", RoleIDs: []string{studentRole}},
	otherStudent:   {UserID: "910000000000000006", RoleIDs: []string{studentRole}},
	noRoles:        {UserID: "910000000000000007"},
	otherGuild:     {UserID: "910000000000000008", Permissions: placement.PermManageGuild},
}

const (
	mentorRole  = "920000000000000001"
	studentRole = "920000000000000002"
)

// world is one guild set up for one call: two verified enterprises with a mentor each, one
// pending enterprise, an open position of the first, and the two students' profiles.
type world struct {
	t       *testing.T
	ctx     context.Context
	svc     *placement.Service
	pool    *pgxpool.Pool
	guild   string
	other   string // the other guild
	e1, e2  placement.Enterprise
	pending placement.Enterprise
	pos     placement.Position
	seq     int
}

var worldSeq atomic.Int64

func newWorld(t *testing.T, pool *pgxpool.Pool) *world {
	t.Helper()
	n := worldSeq.Add(1)
	w := &world{t: t, ctx: t.Context(), svc: placement.NewService(postgres.NewStore(pool)), pool: pool,
		guild: strconv.FormatInt(930000000000000000+2*n, 10), other: strconv.FormatInt(930000000000000001+2*n, 10)}
	coord := w.actor(coordinator)
	mr, sr, channel := mentorRole, studentRole, "940000000000000001"
	w.must(w.svc.UpdateGuildSettings(w.ctx, coord, placement.GuildSettingsUpdate{MentorRoleID: &mr, StudentRoleID: &sr,
		DigestChannelID: &channel, AnnouncementsChannelID: &channel}))
	tick := true
	w.must(w.svc.UpdateCompliance(w.ctx, coord, placement.ComplianceInput{MentorsTick: &tick}))
	var err error
	if w.e1, err = w.svc.AddEnterprise(w.ctx, coord, placement.EnterpriseInput{Name: "Acme", StaffSize: 50}); err != nil {
		t.Fatal(err)
	}
	if w.e2, err = w.svc.AddEnterprise(w.ctx, coord, placement.EnterpriseInput{Name: "Beta", StaffSize: 50}); err != nil {
		t.Fatal(err)
	}
	w.must(w.svc.LinkMentor(w.ctx, coord, w.e1.ID, members[mentor].UserID))
	w.must(w.svc.LinkMentor(w.ctx, coord, w.e2.ID, members[otherMentor].UserID))
	if w.pending, err = w.svc.RequestEnterprise(w.ctx, w.actor(unlinkedMentor), placement.EnterpriseInput{Name: "Gamma", StaffSize: 10}); err != nil {
		t.Fatal(err)
	}
	w.pos = w.position()
	for _, s := range []string{student, otherStudent} {
		w.must(w.svc.SaveProfile(w.ctx, w.actor(s), placement.ProfileInput{Program: "Mechatronics", Skills: "cnc, cad"}))
	}
	return w
}

// must fails the test on a setup call's error.
func (w *world) must(_ any, err error) {
	w.t.Helper()
	if err != nil {
		w.t.Fatal(err)
	}
}

// actor resolves a role's member now, as the router does for every interaction.
func (w *world) actor(role string) placement.Actor {
	w.t.Helper()
	guild := w.guild
	if role == otherGuild {
		guild = w.other
	}
	a, err := w.svc.Actor(w.ctx, guild, members[role], "en-US")
	if err != nil {
		w.t.Fatal(err)
	}
	return a
}

// input is a valid posting.
func (w *world) input() placement.PositionInput {
	w.seq++
	day := func(d int) string { return time.Now().AddDate(0, 0, d).Format(placement.DateLayout) }
	return placement.PositionInput{Title: "CNC intern " + strconv.Itoa(w.seq), Skills: "cnc", Location: "Suzhou", Slots: "3",
		Deadline: day(30), Start: day(60), End: day(150)}
}

// position posts a new position of the first enterprise as its mentor.
func (w *world) position() placement.Position {
	w.t.Helper()
	p, err := w.svc.PostPosition(w.ctx, w.actor(mentor), w.e1.ID, w.input())
	if err != nil {
		w.t.Fatal(err)
	}
	return p
}

// application has the student apply to a new position and brings the application to the status.
func (w *world) application(to placement.Status) placement.Application {
	w.t.Helper()
	app, err := w.svc.Apply(w.ctx, w.actor(student), w.position().ID, "I have run CNC mills for two years at school.")
	if err != nil {
		w.t.Fatal(err)
	}
	steps := map[placement.Status][]placement.Status{
		placement.Submitted: nil,
		placement.Offered:   {placement.Offered},
		placement.Accepted:  {placement.Offered, placement.Accepted},
	}[to]
	for _, st := range steps {
		if st == placement.Offered {
			app, err = w.svc.Offer(w.ctx, w.actor(mentor), app.ID)
		} else {
			app, err = w.svc.Accept(w.ctx, w.actor(student), app.ID)
		}
		if err != nil {
			w.t.Fatal(err)
		}
	}
	return app
}

// ready is an accepted application with every checklist item ticked.
func (w *world) ready() placement.Application {
	w.t.Helper()
	app := w.application(placement.Accepted)
	for _, it := range placement.DefaultChecklist {
		w.must(w.svc.TickCheck(w.ctx, w.actor(coordinator), app.ID, it, true))
	}
	return app
}

// placed is the student's active placement.
func (w *world) placed() placement.Placement {
	w.t.Helper()
	p, err := w.svc.Approve(w.ctx, w.actor(coordinator), w.ready().ID)
	if err != nil {
		w.t.Fatal(err)
	}
	return p
}

// errHidden is what a call returns in this test when it succeeded without showing the member
// the student's (or the enterprise's) record: for methods that list the actor's own things,
// that is how a refusal looks.
var errHidden = placement.Errorf(placement.ENOTFOUND, "test.not_shown", nil)

// shown is errHidden unless ok.
func shown(ok bool, err error) error {
	if err != nil {
		return err
	}
	if !ok {
		return errHidden
	}
	return nil
}

// authzCase is one service method called as every role: allowed lists the roles it succeeds for;
// every other role must be refused with EFORBIDDEN or ENOTFOUND. prepare builds what the call
// needs in the world and returns the call.
type authzCase struct {
	method  string
	allowed []string
	prepare func(w *world) func(a placement.Actor) error
}

// every is every role of the guild itself.
var every = []string{coordinator, mentor, otherMentor, unlinkedMentor, student, otherStudent, noRoles}

var authzCases = []authzCase{
	// A coordinator of another guild sets up their own guild, never this one.
	{"GuildSettings", []string{coordinator}, func(w *world) func(placement.Actor) error {
		return func(a placement.Actor) error {
			gs, err := w.svc.GuildSettings(w.ctx, a)
			return shown(gs.MentorRoleID == mentorRole, err)
		}
	}},
	{"UpdateGuildSettings", []string{coordinator}, func(w *world) func(placement.Actor) error {
		ch := "940000000000000002"
		return func(a placement.Actor) error {
			if _, err := w.svc.UpdateGuildSettings(w.ctx, a, placement.GuildSettingsUpdate{DigestChannelID: &ch}); err != nil {
				return err
			}
			gs, err := w.svc.Store.FindGuildSettings(w.ctx, w.guild)
			return shown(gs.DigestChannelID == ch, err)
		}
	}},
	{"TakeUndelivered", []string{student}, func(w *world) func(placement.Actor) error {
		w.application(placement.Submitted)
		if _, err := w.pool.Exec(w.ctx, `UPDATE notifications SET status = 'undeliverable' WHERE guild_id = $1 AND user_id = $2`,
			w.guild, members[student].UserID); err != nil {
			w.t.Fatal(err)
		}
		return func(a placement.Actor) error {
			notes, err := w.svc.TakeUndelivered(w.ctx, a)
			return shown(len(notes) > 0, err)
		}
	}},
	{"Compliance", []string{coordinator}, func(w *world) func(placement.Actor) error {
		return func(a placement.Actor) error {
			c, err := w.svc.Compliance(w.ctx, a)
			return shown(c.MentorsTickChecks, err)
		}
	}},
	{"UpdateCompliance", []string{coordinator}, func(w *world) func(placement.Actor) error {
		quota := 20
		return func(a placement.Actor) error {
			if _, err := w.svc.UpdateCompliance(w.ctx, a, placement.ComplianceInput{QuotaPercent: &quota}); err != nil {
				return err
			}
			c, err := w.svc.Store.FindCompliance(w.ctx, w.guild)
			return shown(c.InternQuotaPercent == quota, err)
		}
	}},
	{"TickCheck", []string{coordinator, mentor}, func(w *world) func(placement.Actor) error {
		app := w.application(placement.Accepted)
		return func(a placement.Actor) error {
			_, err := w.svc.TickCheck(w.ctx, a, app.ID, "insurance", true)
			return err
		}
	}},
	{"Checklist", []string{coordinator, mentor}, func(w *world) func(placement.Actor) error {
		app := w.application(placement.Accepted)
		return func(a placement.Actor) error { _, _, _, err := w.svc.Checklist(w.ctx, a, app.ID); return err }
	}},
	{"ApprovalQueue", []string{coordinator}, func(w *world) func(placement.Actor) error {
		w.application(placement.Accepted)
		return func(a placement.Actor) error {
			page, err := w.svc.ApprovalQueue(w.ctx, a, placement.QueueFilter{}, placement.QueueCursor{})
			return shown(len(page.Items) == 1, err)
		}
	}},
	{"Approve", []string{coordinator}, func(w *world) func(placement.Actor) error {
		app := w.ready()
		return func(a placement.Actor) error { _, err := w.svc.Approve(w.ctx, a, app.ID); return err }
	}},
	{"Placements", []string{coordinator}, func(w *world) func(placement.Actor) error {
		w.placed()
		return func(a placement.Actor) error {
			ps, err := w.svc.Placements(w.ctx, a, placement.PlacementFilter{})
			return shown(len(ps) == 1, err)
		}
	}},
	{"Placement", []string{coordinator}, func(w *world) func(placement.Actor) error {
		p := w.placed()
		return func(a placement.Actor) error { _, err := w.svc.Placement(w.ctx, a, p.ID); return err }
	}},
	{"MyPlacement", []string{student}, func(w *world) func(placement.Actor) error {
		w.placed()
		return func(a placement.Actor) error { _, err := w.svc.MyPlacement(w.ctx, a); return err }
	}},
	{"AssignSupervisor", []string{coordinator}, func(w *world) func(placement.Actor) error {
		p := w.placed()
		return func(a placement.Actor) error {
			_, err := w.svc.AssignSupervisor(w.ctx, a, p.ID, members[coordinator])
			return err
		}
	}},
	{"RequestEnd", []string{student}, func(w *world) func(placement.Actor) error {
		p := w.placed()
		return func(a placement.Actor) error { _, err := w.svc.RequestEnd(w.ctx, a, p.ID, "moving away"); return err }
	}},
	{"EndPlacement", []string{coordinator}, func(w *world) func(placement.Actor) error {
		p := w.placed()
		return func(a placement.Actor) error {
			_, err := w.svc.EndPlacement(w.ctx, a, p.ID, "company closed")
			return err
		}
	}},
	{"Audit", []string{coordinator}, func(w *world) func(placement.Actor) error {
		app := w.application(placement.Submitted)
		return func(a placement.Actor) error {
			entries, err := w.svc.Audit(w.ctx, a, placement.ApplicationSubject(app.ID))
			return shown(len(entries) > 0, err)
		}
	}},
	// Names are personal data: only coordinators find applications by them.
	{"ApplicationsByStudentName", []string{coordinator}, func(w *world) func(placement.Actor) error {
		app := w.application(placement.Submitted)
		named := members[student]
		named.Name = "Wang Fang"
		w.must(w.svc.Actor(w.ctx, w.guild, named, "en-US"))
		return func(a placement.Actor) error {
			apps, err := w.svc.ApplicationsByStudentName(w.ctx, a, "fang")
			return shown(len(apps) == 1 && apps[0].ID == app.ID, err)
		}
	}},
	{"Apply", []string{student, otherStudent}, func(w *world) func(placement.Actor) error {
		return func(a placement.Actor) error {
			_, err := w.svc.Apply(w.ctx, a, w.pos.ID, "I have run CNC mills for two years at school.")
			return err
		}
	}},
	{"CheckApply", []string{student, otherStudent}, func(w *world) func(placement.Actor) error {
		return func(a placement.Actor) error { _, err := w.svc.CheckApply(w.ctx, a, w.pos.ID); return err }
	}},
	// Suggestions show the student's application to coordinators, the enterprise's mentor and
	// the student; everyone else is suggested nothing of it.
	{"SuggestApplications", []string{coordinator, mentor, student}, func(w *world) func(placement.Actor) error {
		app := w.application(placement.Submitted)
		return func(a placement.Actor) error {
			apps, err := w.svc.SuggestApplications(w.ctx, a, "", true)
			return shown(slices.ContainsFunc(apps, func(x placement.Application) bool { return x.ID == app.ID }), err)
		}
	}},
	{"Withdraw", []string{student}, func(w *world) func(placement.Actor) error {
		app := w.application(placement.Submitted)
		return func(a placement.Actor) error { _, err := w.svc.Withdraw(w.ctx, a, app.ID, ""); return err }
	}},
	{"Accept", []string{student}, func(w *world) func(placement.Actor) error {
		app := w.application(placement.Offered)
		return func(a placement.Actor) error { _, err := w.svc.Accept(w.ctx, a, app.ID); return err }
	}},
	{"Decline", []string{student}, func(w *world) func(placement.Actor) error {
		app := w.application(placement.Offered)
		return func(a placement.Actor) error { _, err := w.svc.Decline(w.ctx, a, app.ID, "found another"); return err }
	}},
	{"Shortlist", []string{mentor}, func(w *world) func(placement.Actor) error {
		app := w.application(placement.Submitted)
		return func(a placement.Actor) error { _, err := w.svc.Shortlist(w.ctx, a, app.ID); return err }
	}},
	{"Offer", []string{mentor}, func(w *world) func(placement.Actor) error {
		app := w.application(placement.Submitted)
		return func(a placement.Actor) error { _, err := w.svc.Offer(w.ctx, a, app.ID); return err }
	}},
	{"Reject", []string{coordinator, mentor}, func(w *world) func(placement.Actor) error {
		app := w.application(placement.Submitted)
		return func(a placement.Actor) error { _, err := w.svc.Reject(w.ctx, a, app.ID, "not this term"); return err }
	}},
	{"MyApplications", []string{student}, func(w *world) func(placement.Actor) error {
		app := w.application(placement.Submitted)
		return func(a placement.Actor) error {
			apps, err := w.svc.MyApplications(w.ctx, a)
			return shown(slices.ContainsFunc(apps, func(x placement.ApplicationWithEvents) bool { return x.ID == app.ID }), err)
		}
	}},
	{"Applicants", []string{coordinator, mentor}, func(w *world) func(placement.Actor) error {
		app := w.application(placement.Submitted)
		return func(a placement.Actor) error {
			_, apps, err := w.svc.Applicants(w.ctx, a, app.PositionID)
			return shown(len(apps) == 1, err)
		}
	}},
	{"Application", []string{coordinator, mentor, student}, func(w *world) func(placement.Actor) error {
		app := w.application(placement.Submitted)
		return func(a placement.Actor) error { _, err := w.svc.Application(w.ctx, a, app.ID); return err }
	}},
	{"PostPosition", []string{mentor}, func(w *world) func(placement.Actor) error {
		return func(a placement.Actor) error { _, err := w.svc.PostPosition(w.ctx, a, w.e1.ID, w.input()); return err }
	}},
	{"EditPosition", []string{mentor}, func(w *world) func(placement.Actor) error {
		return func(a placement.Actor) error { _, err := w.svc.EditPosition(w.ctx, a, w.pos.ID, w.input()); return err }
	}},
	{"ClosePosition", []string{mentor}, func(w *world) func(placement.Actor) error {
		return func(a placement.Actor) error { _, err := w.svc.ClosePosition(w.ctx, a, w.pos.ID); return err }
	}},
	{"ReopenPosition", []string{mentor}, func(w *world) func(placement.Actor) error {
		w.must(w.svc.ClosePosition(w.ctx, w.actor(mentor), w.pos.ID))
		return func(a placement.Actor) error { _, err := w.svc.ReopenPosition(w.ctx, a, w.pos.ID); return err }
	}},
	{"OwnPosition", []string{mentor}, func(w *world) func(placement.Actor) error {
		return func(a placement.Actor) error { _, err := w.svc.OwnPosition(w.ctx, a, w.pos.ID); return err }
	}},
	{"ConfirmPosition", []string{mentor}, func(w *world) func(placement.Actor) error {
		return func(a placement.Actor) error { _, err := w.svc.ConfirmPosition(w.ctx, a, w.pos.ID); return err }
	}},
	// Positions of verified enterprises are public to every member of the guild: the browse
	// routes serve everyone.
	{"Position", every, func(w *world) func(placement.Actor) error {
		return func(a placement.Actor) error { _, err := w.svc.Position(w.ctx, a, w.pos.ID); return err }
	}},
	{"MyPositions", []string{mentor}, func(w *world) func(placement.Actor) error {
		return func(a placement.Actor) error {
			ps, err := w.svc.MyPositions(w.ctx, a)
			return shown(slices.ContainsFunc(ps, func(p placement.Position) bool { return p.ID == w.pos.ID }), err)
		}
	}},
	{"Browse", every, func(w *world) func(placement.Actor) error {
		return func(a placement.Actor) error {
			page, err := w.svc.Browse(w.ctx, a, placement.PositionFilter{}, 0)
			return shown(slices.ContainsFunc(page.Positions, func(p placement.Position) bool { return p.ID == w.pos.ID }), err)
		}
	}},
	{"SuggestPositions", every, func(w *world) func(placement.Actor) error {
		return func(a placement.Actor) error {
			ps, err := w.svc.SuggestPositions(w.ctx, a, "cnc")
			return shown(slices.ContainsFunc(ps, func(p placement.Position) bool { return p.ID == w.pos.ID }), err)
		}
	}},
	{"MyApplicationsTo", []string{student}, func(w *world) func(placement.Actor) error {
		app := w.application(placement.Submitted)
		return func(a placement.Actor) error {
			apps, err := w.svc.MyApplicationsTo(w.ctx, a, []int64{app.PositionID, w.pos.ID})
			return shown(len(apps) == 1 && apps[app.PositionID].ID == app.ID, err)
		}
	}},
	{"SuggestLocations", every, func(w *world) func(placement.Actor) error {
		return func(a placement.Actor) error {
			ls, err := w.svc.SuggestLocations(w.ctx, a, "suz")
			return shown(slices.Contains(ls, "Suzhou"), err)
		}
	}},
	{"SuggestPrograms", []string{coordinator}, func(w *world) func(placement.Actor) error {
		return func(a placement.Actor) error {
			ps, err := w.svc.SuggestPrograms(w.ctx, a, "mecha")
			return shown(slices.Contains(ps, "Mechatronics"), err)
		}
	}},
	{"Recommend", []string{student, otherStudent}, func(w *world) func(placement.Actor) error {
		return func(a placement.Actor) error {
			recs, err := w.svc.Recommend(w.ctx, a, 5)
			return shown(len(recs) > 0, err)
		}
	}},
	{"AddEnterprise", []string{coordinator}, func(w *world) func(placement.Actor) error {
		return func(a placement.Actor) error {
			e, err := w.svc.AddEnterprise(w.ctx, a, placement.EnterpriseInput{Name: "Delta", StaffSize: 20})
			return shown(e.GuildID == w.guild, err)
		}
	}},
	{"RequestEnterprise", []string{mentor, otherMentor, unlinkedMentor}, func(w *world) func(placement.Actor) error {
		return func(a placement.Actor) error {
			e, err := w.svc.RequestEnterprise(w.ctx, a, placement.EnterpriseInput{Name: "Delta", StaffSize: 20})
			return shown(e.GuildID == w.guild, err)
		}
	}},
	{"VerifyEnterprise", []string{coordinator}, func(w *world) func(placement.Actor) error {
		return func(a placement.Actor) error {
			_, err := w.svc.VerifyEnterprise(w.ctx, a, w.pending.ID, true, "")
			return err
		}
	}},
	{"LinkMentor", []string{coordinator}, func(w *world) func(placement.Actor) error {
		return func(a placement.Actor) error {
			_, err := w.svc.LinkMentor(w.ctx, a, w.e1.ID, members[unlinkedMentor].UserID)
			return err
		}
	}},
	{"HostingQuota", []string{coordinator, mentor}, func(w *world) func(placement.Actor) error {
		return func(a placement.Actor) error {
			q, err := w.svc.HostingQuota(w.ctx, a, w.e1.ID)
			return shown(q.Interns == 5, err)
		}
	}},
	{"UnlinkMentor", []string{coordinator}, func(w *world) func(placement.Actor) error {
		return func(a placement.Actor) error {
			_, err := w.svc.UnlinkMentor(w.ctx, a, w.e1.ID, members[mentor].UserID)
			return err
		}
	}},
	{"SuspendEnterprise", []string{coordinator}, func(w *world) func(placement.Actor) error {
		return func(a placement.Actor) error {
			_, err := w.svc.SuspendEnterprise(w.ctx, a, w.e1.ID, true, "")
			return err
		}
	}},
	{"SuggestEnterprisesIn", []string{coordinator}, func(w *world) func(placement.Actor) error {
		return func(a placement.Actor) error {
			es, err := w.svc.SuggestEnterprisesIn(w.ctx, a, "", placement.EnterprisePending)
			return shown(slices.ContainsFunc(es, func(e placement.Enterprise) bool { return e.ID == w.pending.ID }), err)
		}
	}},
	{"Enterprises", []string{coordinator}, func(w *world) func(placement.Actor) error {
		return func(a placement.Actor) error {
			es, err := w.svc.Enterprises(w.ctx, a, placement.EnterpriseFilter{})
			return shown(len(es) == 3, err)
		}
	}},
	// Every member may have verified enterprises suggested; only coordinators see pending ones.
	{"SuggestEnterprises", []string{coordinator}, func(w *world) func(placement.Actor) error {
		return func(a placement.Actor) error {
			es, err := w.svc.SuggestEnterprises(w.ctx, a, "", true)
			return shown(slices.ContainsFunc(es, func(e placement.Enterprise) bool { return e.ID == w.pending.ID }), err)
		}
	}},
	{"SuggestEnterprises", every, func(w *world) func(placement.Actor) error {
		return func(a placement.Actor) error {
			es, err := w.svc.SuggestEnterprises(w.ctx, a, "Ac", false)
			return shown(slices.ContainsFunc(es, func(e placement.Enterprise) bool { return e.ID == w.e1.ID }), err)
		}
	}},
	{"Enterprise", every, func(w *world) func(placement.Actor) error {
		return func(a placement.Actor) error { _, err := w.svc.Enterprise(w.ctx, a, w.e1.ID); return err }
	}},
	{"Enterprise", []string{coordinator}, func(w *world) func(placement.Actor) error {
		return func(a placement.Actor) error { _, err := w.svc.Enterprise(w.ctx, a, w.pending.ID); return err }
	}},
	// A position's mentors invite students who fit it; the invited student alone says no thanks.
	{"InvitationCandidates", []string{mentor}, func(w *world) func(placement.Actor) error {
		return func(a placement.Actor) error {
			page, err := w.svc.InvitationCandidates(w.ctx, a, w.pos.ID, 0)
			return shown(len(page.Candidates) == 2, err)
		}
	}},
	{"Invite", []string{mentor}, func(w *world) func(placement.Actor) error {
		return func(a placement.Actor) error {
			_, err := w.svc.Invite(w.ctx, a, w.pos.ID, members[student].UserID)
			return err
		}
	}},
	{"DeclineInvitation", []string{student}, func(w *world) func(placement.Actor) error {
		inv, err := w.svc.Invite(w.ctx, w.actor(mentor), w.pos.ID, members[student].UserID)
		if err != nil {
			w.t.Fatal(err)
		}
		return func(a placement.Actor) error { _, err := w.svc.DeclineInvitation(w.ctx, a, inv.ID); return err }
	}},
	{"SetInvitations", []string{student, otherStudent}, func(w *world) func(placement.Actor) error {
		return func(a placement.Actor) error {
			p, err := w.svc.SetInvitations(w.ctx, a, true)
			return shown(p.InvitationsOff && p.GuildID == w.guild, err)
		}
	}},
	{"SetInvitationLimit", []string{coordinator}, func(w *world) func(placement.Actor) error {
		return func(a placement.Actor) error {
			if err := w.svc.SetInvitationLimit(w.ctx, a, 3); err != nil {
				return err
			}
			n, err := w.svc.Store.InvitationLimit(w.ctx, w.guild)
			return shown(n == 3, err)
		}
	}},
	{"SaveProfile", []string{student, otherStudent}, func(w *world) func(placement.Actor) error {
		return func(a placement.Actor) error {
			p, err := w.svc.SaveProfile(w.ctx, a, placement.ProfileInput{Program: "Welding"})
			return shown(p.GuildID == w.guild, err)
		}
	}},
	{"OpenRound", []string{coordinator}, func(w *world) func(placement.Actor) error {
		return func(a placement.Actor) error {
			_, ps, err := w.svc.OpenRound(w.ctx, a, placement.RoundInput{Name: "Spring round", Enterprise: w.e1.ID, Deadline: tomorrow()})
			return shown(len(ps) == 1, err)
		}
	}},
	// A round is offered to those who take part in it: the student applied to its position.
	{"Rounds", []string{coordinator, mentor, student}, func(w *world) func(placement.Actor) error {
		w.apply(w.actor(student), w.pos.ID)
		r, _ := w.openRound("")
		return func(a placement.Actor) error {
			rs, err := w.svc.Rounds(w.ctx, a, placement.RoundFilter{})
			return shown(len(rs) == 1 && rs[0].ID == r.ID, err)
		}
	}},
	{"Round", []string{coordinator, mentor, otherMentor, student, otherStudent}, func(w *world) func(placement.Actor) error {
		r, _ := w.openRound("")
		return func(a placement.Actor) error { _, _, err := w.svc.Round(w.ctx, a, r.ID); return err }
	}},
	{"StudentRanking", []string{student}, func(w *world) func(placement.Actor) error {
		w.apply(w.actor(student), w.pos.ID)
		r, _ := w.openRound("")
		return func(a placement.Actor) error {
			rk, err := w.svc.StudentRanking(w.ctx, a, r.ID)
			return shown(len(rk.Applications) == 1, err)
		}
	}},
	{"SetStudentRanks", []string{student}, func(w *world) func(placement.Actor) error {
		app := w.apply(w.actor(student), w.pos.ID)
		r, _ := w.openRound("")
		return func(a placement.Actor) error { return w.svc.SetStudentRanks(w.ctx, a, r.ID, []int64{app.ID}) }
	}},
	{"PositionRanking", []string{mentor}, func(w *world) func(placement.Actor) error {
		w.apply(w.actor(student), w.pos.ID)
		r, _ := w.openRound("")
		return func(a placement.Actor) error {
			rk, err := w.svc.PositionRanking(w.ctx, a, r.ID, w.pos.ID)
			return shown(len(rk.Applications) == 1, err)
		}
	}},
	{"SetPositionRanks", []string{mentor}, func(w *world) func(placement.Actor) error {
		app := w.apply(w.actor(student), w.pos.ID)
		r, _ := w.openRound("")
		return func(a placement.Actor) error {
			return w.svc.SetPositionRanks(w.ctx, a, r.ID, w.pos.ID, []int64{app.ID})
		}
	}},
	{"PreviewRound", []string{coordinator}, func(w *world) func(placement.Actor) error {
		w.apply(w.actor(student), w.pos.ID)
		r, _ := w.openRound("")
		return func(a placement.Actor) error { _, err := w.svc.PreviewRound(w.ctx, a, r.ID); return err }
	}},
	{"LastPreview", []string{coordinator}, func(w *world) func(placement.Actor) error {
		r, _ := w.openRound("")
		w.must(w.svc.PreviewRound(w.ctx, w.actor(coordinator), r.ID))
		return func(a placement.Actor) error {
			_, ok, err := w.svc.LastPreview(w.ctx, a, r.ID)
			return shown(ok, err)
		}
	}},
	{"PublishRound", []string{coordinator}, func(w *world) func(placement.Actor) error {
		w.apply(w.actor(student), w.pos.ID)
		r, _ := w.openRound("")
		w.afterDeadline()
		return func(a placement.Actor) error { _, err := w.svc.PublishRound(w.ctx, a, r.ID); return err }
	}},
	{"RoundResult", []string{student}, func(w *world) func(placement.Actor) error {
		w.apply(w.actor(student), w.pos.ID)
		r, _ := w.openRound("")
		w.afterDeadline()
		w.must(w.svc.PublishRound(w.ctx, w.actor(coordinator), r.ID))
		return func(a placement.Actor) error { _, err := w.svc.RoundResult(w.ctx, a, r.ID); return err }
	}},
	// A student's profile: themselves, coordinators, and mentors of an enterprise they applied to.
	{"Profile", []string{coordinator, mentor, student}, func(w *world) func(placement.Actor) error {
		w.application(placement.Submitted)
		return func(a placement.Actor) error { _, err := w.svc.Profile(w.ctx, a, members[student].UserID); return err }
	}},
}

// Every service method that acts for a member checks the member's rights itself, so that no
// route's role check is ever the only gate: each is called as every role, and succeeds for the
// roles it serves only. Refusals are EFORBIDDEN, or ENOTFOUND where the service does not even
// say the record exists (another guild's, a pending enterprise).
func TestServiceAuthorizesEveryRole(t *testing.T) {
	pool := testenv.NewPool(t)
	covered := map[string]bool{}
	for _, c := range authzCases {
		covered[c.method] = true
	}
	actor := reflect.TypeFor[placement.Actor]()
	svc := reflect.TypeFor[*placement.Service]()
	for i := range svc.NumMethod() {
		m := svc.Method(i)
		for j := range m.Type.NumIn() {
			if m.Type.In(j) == actor && !covered[m.Name] {
				t.Errorf("Service.%s takes an Actor but is not in the table", m.Name)
			}
		}
	}

	for _, c := range authzCases {
		t.Run(c.method, func(t *testing.T) {
			t.Parallel()
			for _, role := range roles {
				t.Run(role, func(t *testing.T) {
					w := newWorld(t, pool)
					call := c.prepare(w)
					err := call(w.actor(role))
					code := placement.ErrorCode(err)
					switch allowed := slices.Contains(c.allowed, role); {
					case allowed && err != nil:
						t.Fatalf("refused: %v", err)
					case !allowed && err == nil:
						t.Fatal("allowed")
					case !allowed && code != placement.EFORBIDDEN && code != placement.ENOTFOUND:
						t.Fatalf("refused with %s (%v), want forbidden or not found", code, err)
					}
				})
			}
		})
	}
}
