// Package stress runs two bot processes against one Postgres and one Redis and checks that no
// interleaving of students' and coordinators' clicks breaks an invariant.
package stress

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	mrand "math/rand"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"placementbot/internal/demo"
	"placementbot/internal/placement"
	"placementbot/internal/postgres"
	"placementbot/internal/testenv"
	"placementbot/internal/testenv/fakediscord"
)

func TestMain(m *testing.M) { testenv.Main(m) }

const (
	students  = 120
	positions = 40
	ops       = 2000
	workers   = 16
	staff     = 20 // coordinators and mentors each
)

// bot is one running bot process with its HTTP interactions endpoint.
type bot struct {
	url string
	cmd *exec.Cmd
	out *bytes.Buffer
}

func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func startBot(t *testing.T, bin string, env []string, key ed25519.PrivateKey) *bot {
	addr := freeAddr(t)
	b := &bot{url: "http://" + addr, out: &bytes.Buffer{}}
	b.cmd = exec.Command(bin)
	b.cmd.Env = append(env, "PLACEMENTBOT_HTTP_LISTEN="+addr)
	b.cmd.Stdout, b.cmd.Stderr = b.out, b.out
	if err := b.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = b.cmd.Process.Signal(os.Interrupt)
		_ = b.cmd.Wait()
	})
	ping := []byte(`{"id":"1","application_id":"800000000000000001","type":1,"token":"t","version":1}`)
	for deadline := time.Now().Add(60 * time.Second); ; {
		if code, _, err := post(b.url, ping, key); err == nil && code == 200 {
			return b
		}
		if time.Now().After(deadline) {
			t.Fatalf("bot at %s did not come up:\n%s", addr, b.out.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func post(url string, body []byte, key ed25519.PrivateKey) (int, []byte, error) {
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	req, err := http.NewRequest("POST", url, bytes.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("X-Signature-Timestamp", ts)
	req.Header.Set("X-Signature-Ed25519", hex.EncodeToString(ed25519.Sign(key, append([]byte(ts), body...))))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	return resp.StatusCode, out, err
}

var seq atomic.Int64

// interaction builds a component press or modal submit by a member, as Discord sends it.
func interaction(userID string, roles []string, typ int, data map[string]any) []byte {
	n := seq.Add(1)
	b, _ := json.Marshal(map[string]any{
		"id": strconv.FormatInt(710000000000000000+n, 10), "application_id": "800000000000000001", "type": typ,
		"token": "tok" + strconv.FormatInt(n, 10), "version": 1, "guild_id": demo.GuildID, "channel_id": demo.GeneralID,
		"locale": "en-US", "data": data,
		"message": map[string]any{"id": "500000000000000001", "channel_id": demo.GeneralID},
		"member":  map[string]any{"user": map[string]any{"id": userID, "username": "m"}, "roles": roles, "permissions": "0"},
	})
	return b
}

func button(userID string, roles []string, customID string) []byte {
	return interaction(userID, roles, 3, map[string]any{"custom_id": customID, "component_type": 2})
}

func modal(userID string, roles []string, customID, reason string) []byte {
	return interaction(userID, roles, 5, map[string]any{"custom_id": customID, "components": []any{
		map[string]any{"type": 1, "components": []any{map[string]any{"type": 4, "custom_id": "reason", "value": reason}}}}})
}

func studentID(i int) string     { return strconv.Itoa(910000000000000000 + i) }
func coordinatorID(i int) string { return strconv.Itoa(920000000000000000 + i) }
func mentorID(i int) string      { return strconv.Itoa(930000000000000000 + i) }

// seed builds the school: one enterprise, positions with 1–3 slots, students with three
// applications each, and as many offers as the slots allow.
func seed(t *testing.T, ctx context.Context, pool *pgxpool.Pool) (appIDs []int64, owner map[int64]string) {
	svc := placement.NewService(postgres.NewStore(pool))
	g := demo.School()
	if _, err := demo.SeedSetup(ctx, svc, g); err != nil {
		t.Fatal(err)
	}
	member := func(id string, roles ...string) placement.Actor {
		a, err := svc.Actor(ctx, g.ID, placement.Member{UserID: id, RoleIDs: roles}, "en-US")
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	carol := member("900000000000000101", demo.CoordinatorRoleID)
	e, err := svc.AddEnterprise(ctx, carol, placement.EnterpriseInput{Name: "Stress Works", StaffSize: 100000})
	if err != nil {
		t.Fatal(err)
	}
	// Many coordinators and mentors click at once, as in a busy week (one member alone would
	// soon hit the per-member rate limit).
	for i := range staff {
		if _, err := svc.LinkMentor(ctx, carol, e.ID, mentorID(i)); err != nil {
			t.Fatal(err)
		}
	}
	alice := member(mentorID(0), demo.MentorRoleID)
	var posIDs []int64
	for i := range positions {
		start := time.Now().AddDate(0, 2, 0)
		p, err := svc.PostPosition(ctx, alice, e.ID, placement.PositionInput{Title: fmt.Sprintf("Position %02d", i), Location: "Suzhou",
			Slots: strconv.Itoa(1 + i%3), Start: start.Format(placement.DateLayout), End: start.AddDate(0, 3, 0).Format(placement.DateLayout),
			Deadline: time.Now().AddDate(0, 1, 0).Format(placement.DateLayout)})
		if err != nil {
			t.Fatal(err)
		}
		posIDs = append(posIDs, p.ID)
	}
	owner = map[int64]string{}
	rng := mrand.New(mrand.NewSource(7))
	for s := range students {
		st := member(studentID(s), demo.StudentRoleID)
		for _, k := range rng.Perm(positions)[:3] {
			app, err := svc.Apply(ctx, st, posIDs[k], "Seeded motivation long enough to pass.")
			if placement.ErrorCode(err) == placement.ECONFLICT {
				continue // the position filled up with offers
			}
			if err != nil {
				t.Fatal(err)
			}
			appIDs = append(appIDs, app.ID)
			owner[app.ID] = st.UserID
			if rng.Intn(2) == 0 {
				if _, err := svc.Offer(ctx, alice, app.ID); err != nil && placement.ErrorCode(err) != placement.ECONFLICT {
					t.Fatal(err)
				}
			}
		}
	}
	// Approval gates are tested elsewhere; here every accepted offer may be approved.
	if _, err := pool.Exec(ctx, `UPDATE guilds SET checklist = '{}' WHERE guild_id = $1`, g.ID); err != nil {
		t.Fatal(err)
	}
	return appIDs, owner
}

func TestTwoProcessesKeepEveryInvariant(t *testing.T) {
	ctx := context.Background()
	bin := filepath.Join(t.TempDir(), "placementbot")
	if out, err := exec.Command("go", "build", "-o", bin, "../../cmd/placementbot").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	url := testenv.NewDatabase(t)
	pool, err := postgres.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	appIDs, owner := seed(t, ctx, pool)

	fake := fakediscord.New(t)
	pub, priv, _ := ed25519.GenerateKey(rand.Reader)
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "PLACEMENTBOT_") {
			env = append(env, kv)
		}
	}
	env = append(env, "PLACEMENTBOT_DATABASE_URL="+url, "PLACEMENTBOT_REDIS_ADDRS="+testenv.NewRedis(t),
		"PLACEMENTBOT_DISCORD_PUBLIC_KEY="+hex.EncodeToString(pub), "PLACEMENTBOT_DISCORD_TOKEN=test",
		"PLACEMENTBOT_DISCORD_API_BASE="+fake.URL(), "PLACEMENTBOT_OPS_LISTEN=", "PLACEMENTBOT_LOG_LEVEL=warn")
	bots := []*bot{startBot(t, bin, env, priv), startBot(t, bin, env, priv)}

	coordinator, mentor := []string{demo.CoordinatorRoleID}, []string{demo.MentorRoleID}
	var sent, failed atomic.Int64
	var wg sync.WaitGroup
	jobs := make(chan int)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := mrand.New(mrand.NewSource(int64(w)))
			for range jobs {
				id := appIDs[rng.Intn(len(appIDs))]
				s := strconv.FormatInt(id, 10)
				var body []byte
				switch r := rng.Intn(100); {
				case r < 30:
					body = button(owner[id], []string{demo.StudentRoleID}, "/application/"+s+"/accept")
				case r < 50:
					body = modal(owner[id], []string{demo.StudentRoleID}, "/application/"+s+"/withdraw/submit", "")
				case r < 65:
					body = modal(coordinatorID(rng.Intn(staff)), coordinator, "/approval/"+s+"/reject/submit", "Not this term, sorry.")
				case r < 90:
					body = button(coordinatorID(rng.Intn(staff)), coordinator, "/approval/"+s+"/approve")
				default:
					body = button(mentorID(rng.Intn(staff)), mentor, "/application/"+s+"/offer")
				}
				code, out, err := post(bots[rng.Intn(2)].url, body, priv)
				sent.Add(1)
				if err != nil || code != 200 || !bytes.Contains(out, []byte(`"type"`)) {
					failed.Add(1)
					t.Errorf("request failed: %d %v %.200s", code, err, out)
				}
			}
		}()
	}
	for i := range ops {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	t.Logf("%d interactions over two processes, %d failed", sent.Load(), failed.Load())
	var summary string
	if err := pool.QueryRow(ctx, `SELECT string_agg(status || ' ' || n, ', ' ORDER BY status) FROM
		(SELECT status, count(*) n FROM applications GROUP BY status) x`).Scan(&summary); err != nil {
		t.Fatal(err)
	}
	t.Logf("applications after the storm: %s", summary)
	check(t, ctx, pool)
}

// check proves the invariants on the database the storm left behind.
func check(t *testing.T, ctx context.Context, pool *pgxpool.Pool) {
	var n int
	q := func(sql string) int {
		t.Helper()
		if err := pool.QueryRow(ctx, sql).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if q(`SELECT count(*) FROM positions WHERE taken > slots`) != 0 {
		t.Errorf("%d positions over their slots", n)
	}
	if q(`SELECT count(*) FROM positions p WHERE taken <> (SELECT count(*) FROM applications a
		WHERE a.guild_id = p.guild_id AND a.position_id = p.id AND a.status IN ('offered', 'accepted', 'approved'))`) != 0 {
		t.Errorf("%d positions whose taken count disagrees with the applications holding slots", n)
	}
	if q(`SELECT count(*) FROM (SELECT student_id FROM placements WHERE status = 'active' GROUP BY guild_id, student_id HAVING count(*) > 1) x`) != 0 {
		t.Errorf("%d students with two active placements", n)
	}
	if q(`SELECT count(*) FROM applications a WHERE (a.status = 'approved') <> EXISTS (
		SELECT 1 FROM placements p WHERE p.guild_id = a.guild_id AND p.application_id = a.id)`) != 0 {
		t.Errorf("%d applications whose approval and placement disagree", n)
	}
	if q(`SELECT count(*) FROM applications WHERE status = 'approved'`) == 0 {
		t.Error("the storm approved nothing: it did not exercise approvals")
	}

	rows, err := pool.Query(ctx, `SELECT a.id, a.status, a.student_id, e.from_status, e.to_status
		FROM applications a JOIN application_events e ON e.guild_id = a.guild_id AND e.application_id = a.id
		ORDER BY a.id, e.id`)
	if err != nil {
		t.Fatal(err)
	}
	type chain struct {
		status, student string
		steps           [][2]string
	}
	chains := map[int64]*chain{}
	for rows.Next() {
		var id int64
		var status, student, from, to string
		if err := rows.Scan(&id, &status, &student, &from, &to); err != nil {
			t.Fatal(err)
		}
		if chains[id] == nil {
			chains[id] = &chain{status: status, student: student}
		}
		chains[id].steps = append(chains[id].steps, [2]string{from, to})
	}
	rows.Close()
	notes := map[string]int{}
	nrows, err := pool.Query(ctx, `SELECT dedup_key FROM notifications WHERE user_id <> ''`)
	if err != nil {
		t.Fatal(err)
	}
	for nrows.Next() {
		var k string
		if err := nrows.Scan(&k); err != nil {
			t.Fatal(err)
		}
		notes[k]++
	}
	nrows.Close()
	for id, c := range chains {
		prev := ""
		for i, st := range c.steps {
			from, to := placement.Status(st[0]), placement.Status(st[1])
			ok := (i == 0 && from == "" && to == placement.Submitted) || (string(from) == prev && reachable(from, to))
			if !ok {
				t.Errorf("application %d: transition %d %q → %q after %q is not in the lifecycle", id, i, from, to, prev)
			}
			prev = string(to)
			key := fmt.Sprintf("application:%d:%s:%s", id, to, c.student)
			if notes[key] != 1 {
				t.Errorf("application %d: the student's DM for %s is queued %d times", id, to, notes[key])
			}
		}
		if prev != c.status {
			t.Errorf("application %d is %s but its last recorded transition is to %s", id, c.status, prev)
		}
	}
}

// reachable reports whether anyone may make this move.
func reachable(from, to placement.Status) bool {
	for p := placement.PartyStudent; p <= placement.PartySystem; p++ {
		if placement.CanTransition(from, to, p) {
			return true
		}
	}
	return false
}
