package positions_test

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"

	"placementbot/internal/demo"
	"placementbot/internal/placement"
	"placementbot/internal/redis"
	"placementbot/internal/testenv"
	"placementbot/internal/testenv/botenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// buttonsOf returns the buttons of a message by label.
func buttonsOf(m botenv.Message) map[string]*discordgo.Button {
	out := map[string]*discordgo.Button{}
	for _, c := range m.Components {
		if row, ok := c.(*discordgo.ActionsRow); ok {
			for _, x := range row.Components {
				if b, ok := x.(*discordgo.Button); ok {
					out[b.Label] = b
				}
			}
		}
	}
	return out
}

// menuOf returns the select menu of a message, or nil.
func menuOf(m botenv.Message) *discordgo.SelectMenu {
	for _, c := range m.Components {
		if row, ok := c.(*discordgo.ActionsRow); ok {
			for _, x := range row.Components {
				if s, ok := x.(*discordgo.SelectMenu); ok {
					return s
				}
			}
		}
	}
	return nil
}

// listed returns the position ids a result list offers in its menu, in order.
func listed(t *testing.T, m botenv.Message) []int64 {
	t.Helper()
	menu := menuOf(m)
	if menu == nil {
		return nil
	}
	var ids []int64
	for _, o := range menu.Options {
		id, err := strconv.ParseInt(o.Value, 10, 64)
		if err != nil {
			t.Fatalf("menu option value %q is not an id", o.Value)
		}
		ids = append(ids, id)
	}
	return ids
}

// postMany posts n positions titled "Position 01"… as alice for the enterprise, oldest first.
func postMany(t *testing.T, b *botenv.Bot, enterpriseID int64, n int) []placement.Position {
	t.Helper()
	ps := make([]placement.Position, n)
	for i := range n {
		ps[i] = b.PostPosition(t, "alice", enterpriseID, botenv.PositionInput(fmt.Sprintf("Position %02d", i+1)))
	}
	return ps
}

// newestFirst returns the ids of ps from newest to oldest.
func newestFirst(ps []placement.Position) []int64 {
	ids := make([]int64, len(ps))
	for i, p := range ps {
		ids[len(ps)-1-i] = p.ID
	}
	return ids
}

// otherGuildPosition creates an enterprise and an open position in a second school.
func otherGuildPosition(t *testing.T, b *botenv.Bot) (placement.Enterprise, placement.Position) {
	t.Helper()
	ctx := context.Background()
	g := demo.School()
	g.ID = "900000000000000002"
	if err := demo.Seed(ctx, b.Service, g); err != nil {
		t.Fatal(err)
	}
	coord := placement.Actor{GuildID: g.ID, UserID: "900000000000000201", Roles: placement.RoleCoordinator}
	e, err := b.Service.AddEnterprise(ctx, coord, placement.EnterpriseInput{Name: "Elsewhere Works", City: "Wuxi", StaffSize: 50})
	if err != nil {
		t.Fatal(err)
	}
	mentor := placement.Actor{GuildID: g.ID, UserID: "900000000000000202", Roles: placement.RoleMentor, EnterpriseIDs: []int64{e.ID}}
	p, err := b.Service.PostPosition(ctx, mentor, e.ID, botenv.PositionInput("Secret Elsewhere Job"))
	if err != nil {
		t.Fatal(err)
	}
	return e, p
}

// browseSessions counts the browse pages kept in Redis.
func browseSessions(t *testing.T, b *botenv.Bot) int {
	t.Helper()
	keys, err := b.Redis.Keys(context.Background(), "*session:browse:*").Result()
	if err != nil {
		t.Fatal(err)
	}
	return len(keys)
}

func TestBrowsePagesForwardAndBack(t *testing.T) {
	b := botenv.New(t)
	acme := b.AddEnterprise(t, "Acme", 200, "alice")
	ids := newestFirst(postMany(t, b, acme.ID, 25))

	first := b.Do(t, testenv.Slash(testenv.Member("bo"), "positions browse"))
	if !first.Ephemeral() {
		t.Error("result list is not ephemeral")
	}
	page1 := first.Latest()
	if got := listed(t, page1); !slices.Equal(got, ids[:10]) {
		t.Fatalf("page 1 = %v, want %v", got, ids[:10])
	}
	text := first.Text()
	for _, want := range []string{"Open positions — page 1", "All open positions, newest first.", "1. Position 25", "10. Position 16",
		"Acme · Suzhou · 2 slots left · apply by "} {
		if !strings.Contains(text, want) {
			t.Errorf("page 1 lacks %q:\n%s", want, text)
		}
	}
	if len(page1.Embeds[0].Fields) != placement.PageSize || len(page1.Components) != 2 {
		t.Fatalf("page 1 has %d entries and %d rows", len(page1.Embeds[0].Fields), len(page1.Components))
	}
	if btn := buttonsOf(page1); !btn["◀ Previous"].Disabled || btn["Next ▶"].Disabled {
		t.Fatalf("page 1: Previous should be disabled and Next enabled: %+v %+v", btn["◀ Previous"], btn["Next ▶"])
	}

	next := b.Press(t, "bo", first, "Next ▶")
	if next.Type != discordgo.InteractionResponseUpdateMessage {
		t.Fatalf("Next answered with type %d, want the list edited in place", next.Type)
	}
	page2 := next.Latest()
	if got := listed(t, page2); !slices.Equal(got, ids[10:20]) {
		t.Fatalf("page 2 = %v, want %v", got, ids[10:20])
	}
	if !strings.Contains(next.Text(), "page 2") || !strings.Contains(next.Text(), "11. Position 15") {
		t.Errorf("page 2 text:\n%s", next.Text())
	}

	// A double click: Next pressed again on the same page-1 message shows page 2 again, not page 3.
	again := b.Press(t, "bo", first, "Next ▶")
	if got := listed(t, again.Latest()); !slices.Equal(got, ids[10:20]) {
		t.Fatalf("second press of the same Next = %v, want page 2 %v", got, ids[10:20])
	}

	prev := b.Press(t, "bo", next, "◀ Previous")
	back := prev.Latest()
	if got := listed(t, back); !slices.Equal(got, ids[:10]) {
		t.Fatalf("Previous from page 2 = %v, want page 1 %v", got, ids[:10])
	}
	if !buttonsOf(back)["◀ Previous"].Disabled {
		t.Error("Previous is enabled on page 1")
	}
	nextAgain := b.Press(t, "bo", prev, "Next ▶")
	if got := listed(t, nextAgain.Latest()); !slices.Equal(got, ids[10:20]) {
		t.Fatalf("Next after Previous = %v, want the first Next's page %v", got, ids[10:20])
	}

	page3 := b.Press(t, "bo", nextAgain, "Next ▶").Latest()
	if got := listed(t, page3); !slices.Equal(got, ids[20:]) {
		t.Fatalf("page 3 = %v, want %v", got, ids[20:])
	}
	if btn := buttonsOf(page3); btn["◀ Previous"].Disabled || !btn["Next ▶"].Disabled {
		t.Fatal("last page: Previous should be enabled and Next disabled")
	}
	// A disabled Next pressed anyway (an edited client) shows the same last page, not the first.
	if got := listed(t, b.Do(t, testenv.Button(testenv.Member("bo"), buttonsOf(page3)["Next ▶"].CustomID)).Latest()); !slices.Equal(got, ids[20:]) {
		t.Fatalf("Next on the last page = %v, want the last page again", got)
	}

	// The menu opens the picked position's card as a new message, leaving the list in place.
	open := b.Pick(t, "bo", next, 0, strconv.FormatInt(ids[12], 10))
	if open.Type != discordgo.InteractionResponseChannelMessageWithSource || !open.Ephemeral() ||
		!strings.Contains(open.Text(), "Position 13") || !strings.Contains(open.Text(), "[Apply]") {
		t.Fatalf("opening from the menu: type %d\n%s", open.Type, open.Text())
	}
}

func TestBrowseFiltersEachNarrow(t *testing.T) {
	b := botenv.New(t)
	acme := b.AddEnterprise(t, "Acme", 200, "alice")
	beta := b.AddEnterprise(t, "Beta Soft", 80, "mo")
	cnc := botenv.PositionInput("CNC Operator")
	cnc.Skills, cnc.Programs, cnc.Location = "CNC, CAD", "Mechatronics", "Suzhou"
	weld := botenv.PositionInput("Welding Assistant")
	weld.Skills, weld.Programs, weld.Location = "welding", "Welding Technology", "Wuxi"
	web := botenv.PositionInput("Web Developer")
	web.Skills, web.Programs, web.Location, web.Remote = "javascript, html", "Software", "", true
	web.Description = "Build the internal dashboards of our sales team."
	pc := b.PostPosition(t, "alice", acme.ID, cnc)
	pw := b.PostPosition(t, "alice", acme.ID, weld)
	pweb := b.PostPosition(t, "mo", beta.ID, web)

	bo := testenv.Member("bo")
	tests := []struct {
		name   string
		opts   []testenv.Opt
		want   []int64
		header string
	}{
		{"none", nil, []int64{pweb.ID, pw.ID, pc.ID}, "All open positions"},
		{"keyword in title", []testenv.Opt{testenv.StringOpt("keyword", "welding")}, []int64{pw.ID}, "keyword “welding”"},
		{"keyword in description", []testenv.Opt{testenv.StringOpt("keyword", "dashboards")}, []int64{pweb.ID}, "keyword “dashboards”"},
		{"blank keyword is no filter", []testenv.Opt{testenv.StringOpt("keyword", "   ")}, []int64{pweb.ID, pw.ID, pc.ID}, "All open positions"},
		{"skill", []testenv.Opt{testenv.StringOpt("skill", "CAD")}, []int64{pc.ID}, "skill “cad”"},
		{"program", []testenv.Opt{testenv.StringOpt("program", "software")}, []int64{pweb.ID}, "program “software”"},
		{"location", []testenv.Opt{testenv.StringOpt("location", "wuxi")}, []int64{pw.ID}, "location “wuxi”"},
		{"enterprise id", []testenv.Opt{testenv.StringOpt("enterprise", strconv.FormatInt(beta.ID, 10))}, []int64{pweb.ID}, "enterprise “Beta Soft”"},
		{"enterprise typed by name", []testenv.Opt{testenv.StringOpt("enterprise", "acme")}, []int64{pw.ID, pc.ID}, "enterprise “Acme”"},
		{"remote", []testenv.Opt{testenv.BoolOpt("remote", true)}, []int64{pweb.ID}, "remote only"},
		{"remote false is no filter", []testenv.Opt{testenv.BoolOpt("remote", false)}, []int64{pweb.ID, pw.ID, pc.ID}, "All open positions"},
		{"two filters", []testenv.Opt{testenv.StringOpt("skill", "cnc"), testenv.StringOpt("location", "Suzhou")}, []int64{pc.ID}, "skill “cnc” · location “Suzhou”"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			seen := b.Do(t, testenv.Slash(bo, "positions browse", tt.opts...))
			if got := listed(t, seen.Latest()); !slices.Equal(got, tt.want) {
				t.Fatalf("listed %v, want %v\n%s", got, tt.want, seen.Text())
			}
			if !strings.Contains(seen.Text(), tt.header) {
				t.Fatalf("header lacks %q:\n%s", tt.header, seen.Text())
			}
		})
	}

	// Filters that match nothing say so, repeat the filters and suggest fewer.
	seen := b.Do(t, testenv.Slash(bo, "positions browse", testenv.StringOpt("skill", "cad"), testenv.BoolOpt("remote", true)))
	if text := seen.Text(); !strings.Contains(text, "No open positions match skill “cad” · remote only. Try fewer filters") || !seen.Ephemeral() {
		t.Fatalf("no match: %q", text)
	}
}

// TestBrowseChineseAndPartialWords finds Chinese words inside titles, Latin words beside Chinese
// text and parts of locations, and suggests locations as they are typed.
func TestBrowseChineseAndPartialWords(t *testing.T) {
	b := botenv.New(t)
	lotus := b.AddEnterprise(t, "莲花食品", 120, "mo")
	kitchen := botenv.PositionInput("厨房帮工")
	kitchen.Skills, kitchen.Location, kitchen.Description = "食品安全, 刀工", "苏州工业园区", "负责切配，使用Excel记录库存。"
	office := botenv.PositionInput("前台文员")
	office.Location = "Suzhou"
	pk := b.PostPosition(t, "mo", lotus.ID, kitchen)
	po := b.PostPosition(t, "mo", lotus.ID, office)

	bo := testenv.Member("bo")
	for _, tt := range []struct {
		opt  testenv.Opt
		want []int64
	}{
		{testenv.StringOpt("keyword", "厨房"), []int64{pk.ID}},
		{testenv.StringOpt("keyword", "工"), []int64{pk.ID}},
		{testenv.StringOpt("keyword", "excel"), []int64{pk.ID}},
		{testenv.StringOpt("keyword", "刀工"), []int64{pk.ID}},
		{testenv.StringOpt("location", "Suz"), []int64{po.ID}},
		{testenv.StringOpt("location", "苏州"), []int64{pk.ID}},
	} {
		seen := b.Do(t, testenv.Slash(bo, "positions browse", tt.opt))
		if got := listed(t, seen.Latest()); !slices.Equal(got, tt.want) {
			t.Errorf("%+v: listed %v, want %v\n%s", tt.opt, got, tt.want, seen.Text())
		}
	}
	for typed, want := range map[string][]string{"苏": {"苏州工业园区"}, "SUZ": {"Suzhou"}, "": {"Suzhou", "苏州工业园区"}, "xyz": nil} {
		got := choiceNames(b.Choices(t, testenv.Autocomplete(bo, "positions browse", testenv.StringOpt("location", typed))))
		if !slices.Equal(got, want) {
			t.Errorf("location suggestions for %q: %v, want %v", typed, got, want)
		}
	}
}

func TestBrowseWithNothingOpen(t *testing.T) {
	b := botenv.New(t)
	seen := b.Do(t, testenv.Slash(testenv.Member("bo"), "positions browse"))
	if !strings.Contains(seen.Text(), "There are no open positions right now") || len(seen.Data.Components) != 0 {
		t.Fatalf("empty guild: %s", seen.Text())
	}
}

func TestBrowseRefusesBadInput(t *testing.T) {
	b := botenv.New(t)
	acme := b.AddEnterprise(t, "Acme", 200, "alice")
	postMany(t, b, acme.ID, 2)
	foreign, _ := otherGuildPosition(t, b)
	pending, err := b.Service.RequestEnterprise(context.Background(), b.Actor(t, "mo"), placement.EnterpriseInput{Name: "Pending Ltd", StaffSize: 10})
	if err != nil {
		t.Fatal(err)
	}
	bo := testenv.Member("bo")
	tests := []struct {
		name string
		opt  testenv.Opt
		want string
	}{
		{"over-long keyword", testenv.StringOpt("keyword", strings.Repeat("k", 150)), "Keyword can be at most 100 characters (you wrote 150)"},
		{"unknown enterprise id", testenv.StringOpt("enterprise", "987654"), "can't find that enterprise. Pick one from the suggestions"},
		{"enterprise of another school", testenv.StringOpt("enterprise", strconv.FormatInt(foreign.ID, 10)), "can't find that enterprise"},
		{"unverified enterprise", testenv.StringOpt("enterprise", strconv.FormatInt(pending.ID, 10)), "can't find that enterprise"},
		{"enterprise name nobody has", testenv.StringOpt("enterprise", "Nope Industries"), "can't find that enterprise"},
		{"negative id", testenv.StringOpt("enterprise", "-3"), "can't find that enterprise"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			seen := b.Do(t, testenv.Slash(bo, "positions browse", tt.opt))
			if !strings.Contains(seen.Text(), tt.want) || !seen.Ephemeral() || len(seen.Data.Components) != 0 {
				t.Fatalf("reply %q, want %q, ephemeral, no list", seen.Text(), tt.want)
			}
		})
	}
	if n := browseSessions(t, b); n != 0 {
		t.Fatalf("refused browses left %d pages in Redis", n)
	}
}

func TestBrowsePagingSurvivesPositionsAddedAndClosed(t *testing.T) {
	b := botenv.New(t)
	acme := b.AddEnterprise(t, "Acme", 200, "alice")
	ps := postMany(t, b, acme.ID, 25)
	ids := newestFirst(ps)

	page := b.Do(t, testenv.Slash(testenv.Member("bo"), "positions browse"))
	seen := slices.Clone(listed(t, page.Latest()))

	// Between clicks a mentor posts a new position and closes one that page 2 would show.
	added := b.PostPosition(t, "alice", acme.ID, botenv.PositionInput("Brand New Position"))
	closed := ids[13]
	if _, err := b.Service.ClosePosition(context.Background(), b.Actor(t, "alice"), closed); err != nil {
		t.Fatal(err)
	}

	for range 3 {
		page = b.Press(t, "bo", page, "Next ▶")
		seen = append(seen, listed(t, page.Latest())...)
		if buttonsOf(page.Latest())["Next ▶"].Disabled {
			break
		}
	}
	want := slices.DeleteFunc(slices.Clone(ids), func(id int64) bool { return id == closed })
	if !slices.Equal(seen, want) {
		t.Fatalf("pages showed %v,\nwant every open position once, newest first: %v", seen, want)
	}
	if slices.Contains(seen, added.ID) {
		t.Error("a position added after page 1 showed up on a later page")
	}
	// Back on page 1 the new position is now first.
	if first := listed(t, b.Do(t, testenv.Slash(testenv.Member("bo"), "positions browse")).Latest()); first[0] != added.ID {
		t.Fatalf("a fresh browse starts with %d, want the new position %d", first[0], added.ID)
	}
}

func TestBrowseButtonsOfSomeoneElse(t *testing.T) {
	b := botenv.New(t)
	acme := b.AddEnterprise(t, "Acme", 200, "alice")
	ids := newestFirst(postMany(t, b, acme.ID, 12))
	page1 := b.Do(t, testenv.Slash(testenv.Member("bo"), "positions browse"))

	theirs := b.Press(t, "li", page1, "Next ▶")
	if theirs.Type != discordgo.InteractionResponseChannelMessageWithSource || !theirs.Ephemeral() ||
		!strings.Contains(theirs.Text(), "This list belongs to someone else. Run `/positions browse` to get your own.") {
		t.Fatalf("li pressing bo's Next: type %d %q", theirs.Type, theirs.Text())
	}
	if menuOf(theirs.Latest()) != nil {
		t.Fatal("li was shown bo's page")
	}
	// bo's list still works.
	if got := listed(t, b.Press(t, "bo", page1, "Next ▶").Latest()); !slices.Equal(got, ids[10:]) {
		t.Fatalf("bo's Next after li's press = %v", got)
	}
}

func TestBrowseEditedAndExpiredKeys(t *testing.T) {
	b := botenv.New(t)
	acme := b.AddEnterprise(t, "Acme", 200, "alice")
	postMany(t, b, acme.ID, 12)
	bo := testenv.Member("bo")
	for _, tt := range []struct{ customID, want string }{
		{"/browse/Zz9Zz9Zz9Z/next", "This list has expired (lists last 15 minutes). Run `/positions browse` again"},
		{"/browse/Zz9Zz9Zz9Z/prev", "This list has expired"},
		{"/browse/no*such*key/next", "no longer valid"},
		{"/browse/" + strings.Repeat("a", 60) + "/next", "no longer valid"},
	} {
		seen := b.Do(t, testenv.Button(bo, tt.customID))
		if !strings.Contains(seen.Text(), tt.want) || !seen.Ephemeral() || seen.Type != discordgo.InteractionResponseChannelMessageWithSource {
			t.Errorf("%s: type %d %q, want %q", tt.customID, seen.Type, seen.Text(), tt.want)
		}
	}

	page1 := b.Do(t, testenv.Slash(bo, "positions browse"))
	keys, err := b.Redis.Keys(context.Background(), "*session:browse:*").Result()
	if err != nil || len(keys) != 1 {
		t.Fatalf("browse keys %v %v", keys, err)
	}
	if err := b.Redis.Del(context.Background(), keys...).Err(); err != nil {
		t.Fatal(err)
	}
	if text := b.Press(t, "bo", page1, "Next ▶").Text(); !strings.Contains(text, "This list has expired") {
		t.Fatalf("expired list: %q", text)
	}
	// Opening a position from an expired list still works: the menu carries the position id.
	open := b.Pick(t, "bo", page1, 0, page1.Menus()[0].Options[0].Value)
	if !strings.Contains(open.Text(), "Position 12") {
		t.Fatalf("menu of an expired list: %q", open.Text())
	}
	for _, tt := range []struct {
		name   string
		values []string
		want   string
	}{
		{"not a number", []string{"abc"}, "no longer valid"},
		{"nothing picked", nil, "no longer valid"},
		{"two picked", []string{"1", "2"}, "no longer valid"},
		{"unknown id", []string{"987654"}, "can't find that position"},
	} {
		seen := b.Do(t, testenv.Select(bo, page1.Menus()[0].CustomID, tt.values...))
		if !strings.Contains(seen.Text(), tt.want) {
			t.Errorf("menu value %s: %q, want %q", tt.name, seen.Text(), tt.want)
		}
	}
}

func TestBrowseWithRedisDown(t *testing.T) {
	srv := testenv.NewRedisServer(t)
	rdb := redis.NewClient(redis.Options{Addrs: []string{srv.Addr()}})
	t.Cleanup(func() { rdb.Close() })
	b := botenv.NewWith(t, testenv.NewPool(t), rdb)
	acme := b.AddEnterprise(t, "Acme", 200, "alice")
	ids := newestFirst(postMany(t, b, acme.ID, 12))
	page1 := b.Do(t, testenv.Slash(testenv.Member("bo"), "positions browse"))
	if err := srv.Stop(); err != nil {
		t.Fatal(err)
	}

	seen := b.Do(t, testenv.Slash(testenv.Member("bo"), "positions browse"))
	down := seen.Latest()
	if !strings.Contains(seen.Text(), "Paging is unavailable right now") || !slices.Equal(listed(t, down), ids[:10]) {
		t.Fatalf("browse with Redis down:\n%s", seen.Text())
	}
	if len(buttonsOf(down)) != 0 {
		t.Fatal("paging buttons shown while they cannot work")
	}
	if open := b.Pick(t, "bo", seen, 0, strconv.FormatInt(ids[3], 10)); !strings.Contains(open.Text(), "Position 09") {
		t.Fatalf("menu with Redis down: %q", open.Text())
	}
	if text := b.Press(t, "bo", page1, "Next ▶").Text(); !strings.Contains(text, "session storage, which can't be reached") {
		t.Fatalf("Next with Redis down: %q", text)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := srv.Start(ctx); err != nil {
		t.Fatal(err)
	}
	b.WaitRedis(t)
	again := b.Do(t, testenv.Slash(testenv.Member("bo"), "positions browse"))
	if got := listed(t, b.Press(t, "bo", again, "Next ▶").Latest()); !slices.Equal(got, ids[10:]) {
		t.Fatalf("paging after Redis came back: %v", got)
	}
}

func TestBrowseLongTextStaysWithinDiscordLimits(t *testing.T) {
	b := botenv.New(t)
	acme := b.AddEnterprise(t, "Acme "+strings.Repeat("*_", 47), 200, "alice")
	for i := range 30 {
		in := botenv.PositionInput(fmt.Sprintf("%02d ", i) + strings.Repeat("*_`|", 24))
		in.Location = strings.Repeat("~", 60)
		in.Skills = strings.Repeat("s", 40) + ", " + strings.Repeat("t", 40)
		b.PostPosition(t, "alice", acme.ID, in)
	}
	seen := b.Do(t, testenv.Slash(testenv.Member("bo"), "positions browse", testenv.StringOpt("location", strings.Repeat("~", 60))))
	m := seen.Latest()
	if got := len(listed(t, m)); got != placement.PageSize {
		t.Fatalf("a page lists %d positions, want %d", got, placement.PageSize)
	}
	e := m.Embeds[0]
	total := utf8.RuneCountInString(e.Title) + utf8.RuneCountInString(e.Description) + utf8.RuneCountInString(e.Footer.Text)
	for _, f := range e.Fields {
		if utf8.RuneCountInString(f.Name) > 256 || utf8.RuneCountInString(f.Value) > 1024 {
			t.Fatalf("field over the limits: %q %q", f.Name, f.Value)
		}
		total += utf8.RuneCountInString(f.Name) + utf8.RuneCountInString(f.Value)
	}
	if total > 6000 || len(m.Components) > 5 {
		t.Fatalf("embed of %d characters, %d rows", total, len(m.Components))
	}
	for _, o := range menuOf(m).Options {
		if utf8.RuneCountInString(o.Label) > 100 || utf8.RuneCountInString(o.Description) > 100 {
			t.Fatalf("menu option over the limits: %q %q", o.Label, o.Description)
		}
	}
	// The page after stays within limits too (the fake Discord checks every payload).
	if got := len(listed(t, b.Press(t, "bo", seen, "Next ▶").Latest())); got != placement.PageSize {
		t.Fatalf("page 2 lists %d", got)
	}
}

func TestPositionCardByRole(t *testing.T) {
	b := botenv.New(t)
	acme := b.AddEnterprise(t, "Acme", 200, "alice")
	b.AddEnterprise(t, "Beta Soft", 80, "mo")
	in := botenv.PositionInput("CNC Operator")
	in.Stipend = "2000 CNY / month"
	p := b.PostPosition(t, "alice", acme.ID, in)
	id := strconv.FormatInt(p.ID, 10)

	student := b.Do(t, testenv.Button(testenv.Member("bo"), "/position/"+id))
	text := student.Text()
	for _, want := range []string{"CNC Operator", "Hands-on work with a senior technician.", "Enterprise: Acme", "Location: Suzhou",
		"Slots left: 2 of 2", "Dates: " + p.StartDate.Format(placement.DateLayout) + " → " + p.EndDate.Format(placement.DateLayout),
		"Application deadline: <t:" + strconv.FormatInt(placement.DayEnd(p.Deadline, nil).Unix(), 10) + ":f>", "Stipend: 2000 CNY / month",
		"Skills asked for: CNC, CAD, teamwork", "Target programs: Mechatronics", "[Apply]"} {
		if !strings.Contains(text, want) {
			t.Errorf("student's card lacks %q:\n%s", want, text)
		}
	}
	if !student.Ephemeral() {
		t.Error("card is not ephemeral")
	}
	if footer := student.Latest().Embeds[0].Footer; footer == nil || footer.Text != "Position #"+id {
		t.Errorf("card footer %+v, want the position number", footer)
	}
	if btn := buttonsOf(student.Latest()); btn["Apply"].CustomID != "/apply/"+id || len(btn) != 1 {
		t.Fatalf("student's buttons: %v", slices.Collect(maps.Keys(btn)))
	}

	mentor := buttonsOf(b.Do(t, testenv.Button(testenv.Member("alice"), "/position/"+id)).Latest())
	if len(mentor) != 5 || mentor["Invite students"].CustomID != "/position/"+id+"/candidates" || mentor["Edit"].CustomID != "/position/"+id+"/edit" || mentor["Close"].CustomID != "/position/"+id+"/close" ||
		mentor["Duplicate"].CustomID != "/position/"+id+"/duplicate" || mentor["Still open"].CustomID != "/position/"+id+"/confirm" {
		t.Fatalf("mentor's buttons: %v", slices.Collect(maps.Keys(mentor)))
	}
	for _, who := range []string{"mo", "carol", "sam"} {
		if btn := buttonsOf(b.Do(t, testenv.Button(testenv.Member(who), "/position/"+id)).Latest()); len(btn) != 0 {
			t.Errorf("%s sees buttons %v", who, slices.Collect(maps.Keys(btn)))
		}
	}

	// /positions view shows the same card, by id or by a title typed in full.
	for _, v := range []string{id, "cnc operator"} {
		if text := b.Do(t, testenv.Slash(testenv.Member("bo"), "positions view", testenv.StringOpt("position", v))).Text(); !strings.Contains(text, "Slots left: 2 of 2") || !strings.Contains(text, "[Apply]") {
			t.Errorf("/positions view %q:\n%s", v, text)
		}
	}

	// Closed: marked, no Apply, Reopen for its mentor.
	if _, err := b.Service.ClosePosition(context.Background(), b.Actor(t, "alice"), p.ID); err != nil {
		t.Fatal(err)
	}
	closed := b.Do(t, testenv.Button(testenv.Member("bo"), "/position/"+id))
	if !strings.Contains(closed.Text(), "Closed: this position no longer takes applications") || len(buttonsOf(closed.Latest())) != 0 {
		t.Fatalf("closed card for a student:\n%s", closed.Text())
	}
	if btn := buttonsOf(b.Do(t, testenv.Button(testenv.Member("alice"), "/position/"+id)).Latest()); btn["Reopen"] == nil || btn["Reopen"].CustomID != "/position/"+id+"/reopen" || btn["Close"] != nil {
		t.Fatalf("closed card for its mentor: %v", slices.Collect(maps.Keys(btn)))
	}
}

func TestPositionCardFullAndPastDeadline(t *testing.T) {
	b := botenv.New(t)
	acme := b.AddEnterprise(t, "Acme", 200, "alice")
	in := botenv.PositionInput("One Seat Only")
	in.Slots = "1"
	full := b.PostPosition(t, "alice", acme.ID, in)
	app := b.Apply(t, "bo", full.ID)
	if _, err := b.Service.Offer(context.Background(), b.Actor(t, "alice"), app.ID); err != nil {
		t.Fatal(err)
	}
	seen := b.Do(t, testenv.Button(testenv.Member("li"), "/position/"+strconv.FormatInt(full.ID, 10)))
	if !strings.Contains(seen.Text(), "All slots are taken") || !strings.Contains(seen.Text(), "Slots left: 0 of 1") || len(buttonsOf(seen.Latest())) != 0 {
		t.Fatalf("full card:\n%s", seen.Text())
	}

	late := b.PostPosition(t, "alice", acme.ID, botenv.PositionInput("Deadline Gone"))
	if _, err := b.Pool.Exec(context.Background(), `UPDATE positions SET deadline = current_date - 2 WHERE id = $1`, late.ID); err != nil {
		t.Fatal(err)
	}
	seen = b.Do(t, testenv.Button(testenv.Member("li"), "/position/"+strconv.FormatInt(late.ID, 10)))
	if !strings.Contains(seen.Text(), "The application deadline has passed") || !strings.Contains(seen.Text(), "(passed)") || len(buttonsOf(seen.Latest())) != 0 {
		t.Fatalf("past-deadline card:\n%s", seen.Text())
	}
}

func TestPositionCardRefusesBadIDs(t *testing.T) {
	b := botenv.New(t)
	acme := b.AddEnterprise(t, "Acme", 200, "alice")
	b.PostPosition(t, "alice", acme.ID, botenv.PositionInput("CNC Operator"))
	_, foreign := otherGuildPosition(t, b)
	fid := strconv.FormatInt(foreign.ID, 10)
	bo := testenv.Member("bo")
	for _, tt := range []struct {
		name string
		in   *discordgo.Interaction
		want string
	}{
		{"button, not a number", testenv.Button(bo, "/position/abc"), "no longer valid"},
		{"button, negative", testenv.Button(bo, "/position/-4"), "no longer valid"},
		{"button, overflow", testenv.Button(bo, "/position/99999999999999999999999"), "no longer valid"},
		{"button, unknown", testenv.Button(bo, "/position/987654"), "can't find that position. Pick one from the suggestions"},
		{"button, other school", testenv.Button(bo, "/position/"+fid), "can't find that position"},
		{"view, text", testenv.Slash(bo, "positions view", testenv.StringOpt("position", "abc")), "can't find that position. Pick one from the suggestions"},
		{"view, empty", testenv.Slash(bo, "positions view", testenv.StringOpt("position", " ")), "can't find that position"},
		{"view, unknown", testenv.Slash(bo, "positions view", testenv.StringOpt("position", "987654")), "can't find that position"},
		{"view, other school", testenv.Slash(bo, "positions view", testenv.StringOpt("position", fid)), "can't find that position"},
		{"view, other school's title", testenv.Slash(bo, "positions view", testenv.StringOpt("position", "Secret Elsewhere Job")), "can't find that position"},
	} {
		seen := b.Do(t, tt.in)
		if !strings.Contains(seen.Text(), tt.want) || !seen.Ephemeral() || strings.Contains(seen.Text(), "Secret") {
			t.Errorf("%s: %q, want %q", tt.name, seen.Text(), tt.want)
		}
	}
}

func TestPositionTextShowsAsText(t *testing.T) {
	b := botenv.New(t)
	acme := b.AddEnterprise(t, "Acme", 200, "alice")
	in := botenv.PositionInput("**Free** pizza @everyone _now_")
	in.Description = "# Big news\n> quoted\n1. first\n@here see [this](https://example.com) <@900000000000000101>"
	p := b.PostPosition(t, "alice", acme.ID, in)

	card := b.Do(t, testenv.Button(testenv.Member("bo"), "/position/"+strconv.FormatInt(p.ID, 10)))
	e := card.Latest().Embeds[0]
	if want := `\*\*Free\*\* pizza @` + "\u200b" + `everyone \_now\_`; e.Title != want {
		t.Errorf("card title %q, want %q", e.Title, want)
	}
	for _, want := range []string{`\# Big news`, `\> quoted`, `1\. first`, "@\u200bhere", `\[this\]\(https://example.com\)`, `\<@` + "\u200b" + `900000000000000101\>`} {
		if !strings.Contains(e.Description, want) {
			t.Errorf("card description lacks %q:\n%s", want, e.Description)
		}
	}
	if am := card.Latest().AllowedMentions; am == nil || am.Parse == nil || len(am.Parse) != 0 {
		t.Errorf("allowed mentions %+v, want an explicit empty parse list", am)
	}

	list := b.Do(t, testenv.Slash(testenv.Member("bo"), "positions browse")).Latest()
	if name := list.Embeds[0].Fields[0].Name; name != `1. \*\*Free\*\* pizza @`+"\u200b"+`everyone \_now\_` {
		t.Errorf("list entry %q", name)
	}
	// A select menu shows no markdown: its label is the title exactly as typed.
	if label := menuOf(list).Options[0].Label; label != "**Free** pizza @everyone _now_" {
		t.Errorf("menu label %q", label)
	}
	// Filters echo the member's own text as text too.
	seen := b.Do(t, testenv.Slash(testenv.Member("bo"), "positions browse", testenv.StringOpt("keyword", "*x* @everyone")))
	if !strings.Contains(seen.Text(), `keyword “\*x\* @`+"\u200b"+`everyone”`) {
		t.Errorf("filter echo: %q", seen.Text())
	}
}

func TestRecommendedRanksAndExplains(t *testing.T) {
	b := botenv.New(t)
	acme := b.AddEnterprise(t, "Acme", 200, "alice")
	best := botenv.PositionInput("CNC Operator")
	best.Skills, best.Programs, best.Location = "CNC, CAD", "Mechatronics", "Suzhou"
	weaker := botenv.PositionInput("Assembly Helper")
	weaker.Skills, weaker.Programs, weaker.Location = "CNC, welding, painting, forklift", "Mechatronics", "Wuxi"
	unrelated := botenv.PositionInput("Barista")
	unrelated.Skills, unrelated.Programs = "coffee", "Hospitality"
	pb := b.PostPosition(t, "alice", acme.ID, best)
	pw := b.PostPosition(t, "alice", acme.ID, weaker)
	b.PostPosition(t, "alice", acme.ID, unrelated)
	b.SaveProfile(t, "bo", placement.ProfileInput{Program: "Mechatronics", Skills: "CNC, CAD, PLC", Locations: "Suzhou"})

	seen := b.Do(t, testenv.Slash(testenv.Member("bo"), "positions recommended"))
	m := seen.Latest()
	if got := listed(t, m); !slices.Equal(got, []int64{pb.ID, pw.ID}) {
		t.Fatalf("recommended %v, want %v (best fit first, unrelated left out)\n%s", got, []int64{pb.ID, pw.ID}, seen.Text())
	}
	f := m.Embeds[0].Fields
	if f[0].Name != "1. CNC Operator" || f[1].Name != "2. Assembly Helper" {
		t.Fatalf("order: %q, %q", f[0].Name, f[1].Name)
	}
	for _, want := range []string{"Why: you know CNC, CAD (2 of the 2 skills asked)", "open to Mechatronics students", "in Suzhou, where you want to work"} {
		if !strings.Contains(f[0].Value, want) {
			t.Errorf("why of the best fit lacks %q: %q", want, f[0].Value)
		}
	}
	if !strings.Contains(f[1].Value, "you know CNC (1 of the 4 skills asked)") || strings.Contains(f[1].Value, "where you want to work") {
		t.Errorf("why of the weaker fit: %q", f[1].Value)
	}
	open := b.Do(t, testenv.Select(testenv.Member("bo"), menuOf(m).CustomID, strconv.FormatInt(pb.ID, 10)))
	if !strings.Contains(open.Text(), "CNC Operator") || !strings.Contains(open.Text(), "[Apply]") {
		t.Fatalf("opening a recommendation: %q", open.Text())
	}

	if text := b.Do(t, testenv.Slash(testenv.Member("li"), "positions recommended")).Text(); !strings.Contains(text, "Fill in your profile first") {
		t.Errorf("without a profile: %q", text)
	}
	b.SaveProfile(t, "wei", placement.ProfileInput{Program: "Nursing", Skills: "elderly care"})
	if text := b.Do(t, testenv.Slash(testenv.Member("wei"), "positions recommended")).Text(); !strings.Contains(text, "No open position fits your profile yet") {
		t.Errorf("nothing fits: %q", text)
	}
	if text := b.Do(t, testenv.Slash(testenv.Member("alice"), "positions recommended")).Text(); !strings.Contains(text, "Only students") {
		t.Errorf("a mentor asking for recommendations: %q", text)
	}
}

func TestPositionsInChinese(t *testing.T) {
	b := botenv.New(t)
	acme := b.AddEnterprise(t, "Acme", 200, "alice")
	postMany(t, b, acme.ID, 12)
	zh := func(in *discordgo.Interaction) *discordgo.Interaction { in.Locale = discordgo.ChineseCN; return in }

	seen := b.Do(t, zh(testenv.Slash(testenv.Member("bo"), "positions browse", testenv.BoolOpt("remote", false))))
	page1 := seen.Latest()
	for _, want := range []string{"开放岗位——第 1 页", "全部开放岗位，最新的在前。", "剩 2 个名额", "[下一页 ▶]", "[◀ 上一页]"} {
		if !strings.Contains(seen.Text(), want) {
			t.Errorf("Chinese list lacks %q:\n%s", want, seen.Text())
		}
	}
	if menuOf(page1).Placeholder != "打开一个岗位…" {
		t.Errorf("menu placeholder %q", menuOf(page1).Placeholder)
	}
	card := b.Do(t, zh(testenv.Select(testenv.Member("bo"), menuOf(page1).CustomID, menuOf(page1).Options[0].Value)))
	for _, want := range []string{"企业: Acme", "剩余名额: 2 / 2", "技能要求: CNC, CAD, teamwork", "[申请]"} {
		if !strings.Contains(card.Text(), want) {
			t.Errorf("Chinese card lacks %q:\n%s", want, card.Text())
		}
	}
	theirs := b.Do(t, zh(testenv.Button(testenv.Member("li"), buttonsOf(page1)["下一页 ▶"].CustomID)))
	if !strings.Contains(theirs.Text(), "这是别人的列表。请运行 `/岗位 浏览` 获取你自己的列表。") {
		t.Errorf("Chinese refusal: %q", theirs.Text())
	}
}

func choiceNames(cs []*discordgo.ApplicationCommandOptionChoice) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Name)
	}
	return out
}

func TestPositionsAutocomplete(t *testing.T) {
	b := botenv.New(t)
	acme := b.AddEnterprise(t, "Acme", 200, "alice")
	b.AddEnterprise(t, "Acorn Foods", 30, "mo")
	cnc := botenv.PositionInput("CNC Operator")
	cnc.Skills = "CNC, CAD, Siemens PLC"
	p := b.PostPosition(t, "alice", acme.ID, cnc)
	_, foreign := otherGuildPosition(t, b)
	bo := testenv.Member("bo")

	skills := b.Choices(t, testenv.Autocomplete(bo, "positions browse", testenv.StringOpt("skill", "C")))
	names := choiceNames(skills)
	if len(names) < 3 || !slices.Equal(names[:3], []string{"CNC", "CAD", "Siemens PLC"}) {
		t.Errorf("skill suggestions start %v, want the skills of open positions first", names)
	}
	for _, n := range names {
		if !strings.Contains(strings.ToLower(n), "c") {
			t.Errorf("skill suggestion %q doesn't contain what was typed", n)
		}
	}
	if got := choiceNames(b.Choices(t, testenv.Autocomplete(bo, "positions browse", testenv.StringOpt("skill", "weld")))); !slices.Equal(got, []string{"welding"}) {
		t.Errorf("skill suggestions for weld: %v", got)
	}

	ents := b.Choices(t, testenv.Autocomplete(bo, "positions browse", testenv.StringOpt("keyword", "x"), testenv.StringOpt("enterprise", "ac")))
	if len(ents) != 2 || ents[0].Name != "Acme (Suzhou)" || ents[0].Value != strconv.FormatInt(acme.ID, 10) {
		t.Errorf("enterprise suggestions: %+v", ents)
	}

	pos := b.Choices(t, testenv.Autocomplete(bo, "positions view", testenv.StringOpt("position", "cnc")))
	if len(pos) != 1 || pos[0].Name != "CNC Operator — Acme" || pos[0].Value != strconv.FormatInt(p.ID, 10) {
		t.Errorf("position suggestions: %+v", pos)
	}
	if got := b.Choices(t, testenv.Autocomplete(bo, "positions view", testenv.StringOpt("position", "secret"))); len(got) != 0 {
		t.Errorf("another school's position %d suggested: %+v", foreign.ID, got)
	}
}

func TestBrowseNextPageEmptiedMeanwhile(t *testing.T) {
	b := botenv.New(t)
	acme := b.AddEnterprise(t, "Acme", 200, "alice")
	ps := postMany(t, b, acme.ID, 11)
	page1 := b.Do(t, testenv.Slash(testenv.Member("bo"), "positions browse"))
	if _, err := b.Service.ClosePosition(context.Background(), b.Actor(t, "alice"), ps[0].ID); err != nil {
		t.Fatal(err)
	}
	seen := b.Press(t, "bo", page1, "Next ▶")
	m := seen.Latest()
	if !strings.Contains(seen.Text(), "Nothing more here: the remaining positions were closed or filled in the meantime") || menuOf(m) != nil {
		t.Fatalf("emptied page:\n%s", seen.Text())
	}
	if btn := buttonsOf(m); btn["◀ Previous"].Disabled || !btn["Next ▶"].Disabled {
		t.Fatal("an emptied page should lead back, not on")
	}
	if got := listed(t, b.Press(t, "bo", seen, "◀ Previous").Latest()); len(got) != 10 {
		t.Fatalf("back from the emptied page: %v", got)
	}
}
