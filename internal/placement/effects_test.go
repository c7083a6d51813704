package placement_test

import (
	"errors"
	"testing"
	"time"

	"placementbot/internal/placement"
)

func TestEffectsValidate(t *testing.T) {
	ev := placement.AuditEvent{ActorID: "200000000000000001", Action: "position.closed", Subject: "position:7"}
	note := placement.Notification{DedupKey: "position:7:closed", UserID: "200000000000000002", MessageKey: "note.x"}
	withFiles := func(files ...placement.File) placement.Notification {
		n := note
		n.Files = files
		return n
	}
	tests := []struct {
		name string
		fx   placement.Effects
		want error
	}{
		{"audited", placement.Audited(ev, note), nil},
		{"audited, nobody told", placement.Audited(ev), nil},
		{"empty", placement.Effects{}, placement.ErrNoAudit},
		{"notes without audit", placement.Effects{Notes: []placement.Notification{note}}, placement.ErrNoAudit},
		{"no actor", placement.Audited(placement.AuditEvent{Action: ev.Action, Subject: ev.Subject}), placement.ErrBadAudit},
		{"no action", placement.Audited(placement.AuditEvent{ActorID: ev.ActorID, Subject: ev.Subject}), placement.ErrBadAudit},
		{"no subject", placement.Audited(placement.AuditEvent{ActorID: ev.ActorID, Action: ev.Action}), placement.ErrBadAudit},
		{"one bad event among good ones", placement.Effects{Audit: []placement.AuditEvent{ev, {ActorID: "system"}}}, placement.ErrBadAudit},
		{"note without key", placement.Audited(ev, placement.Notification{UserID: "1", MessageKey: "note.x"}), placement.ErrBadNotification},
		{"note without text", placement.Audited(ev, placement.Notification{DedupKey: "k", UserID: "1"}), placement.ErrBadNotification},
		{"files", placement.Audited(ev, withFiles(placement.File{Name: "a.csv", ContentType: "text/csv", Data: []byte("a,b")})), nil},
		{"largest file", placement.Audited(ev, withFiles(placement.File{Name: "a.bin", Data: make([]byte, placement.MaxFileSize)})), nil},
		{"file too large", placement.Audited(ev, withFiles(placement.File{Name: "a.bin", Data: make([]byte, placement.MaxFileSize+1)})), placement.ErrBadNotification},
		{"file without name", placement.Audited(ev, withFiles(placement.File{Data: []byte("x")})), placement.ErrBadNotification},
		{"too many files", placement.Audited(ev, withFiles(make([]placement.File, placement.MaxFiles+1)...)), placement.ErrBadNotification},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.fx.Validate()
			if !errors.Is(err, tt.want) || (tt.want == nil) != (err == nil) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if err != nil && placement.ErrorCode(err) != placement.EINTERNAL {
				t.Fatalf("code %s, want internal: a refused effect is a bug, not the member's mistake", placement.ErrorCode(err))
			}
		})
	}
}

func TestRequireLifecycle(t *testing.T) {
	app := placement.Application{ID: 12, GuildID: "1", EnterpriseID: 3, Status: placement.Offered}
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	ev := placement.LifecycleAudit(app, app.Status, placement.Accepted, "200000000000000001", "", at)
	if ev.Action != "application.accepted" || ev.Subject != "application:12" || ev.EnterpriseID != 3 ||
		ev.Detail["from"] != "offered" || ev.Detail["note"] != "" || !ev.At.Equal(at) {
		t.Fatalf("lifecycle event %+v", ev)
	}
	fx := placement.Audited(ev)
	if err := fx.RequireLifecycle(12, placement.Accepted); err != nil {
		t.Fatal(err)
	}
	for name, err := range map[string]error{
		"another status":      fx.RequireLifecycle(12, placement.Declined),
		"another application": fx.RequireLifecycle(13, placement.Accepted),
		"no audit":            placement.Effects{}.RequireLifecycle(12, placement.Accepted),
	} {
		if !errors.Is(err, placement.ErrNoLifecycleAudit) {
			t.Errorf("%s: err = %v", name, err)
		}
	}
}

func TestFileNamesArePlainASCII(t *testing.T) {
	for in, want := range map[string]string{
		"chart.png": "chart.png", "实习导出.csv": "file.csv", "report 2026 (final).xlsx": "report_2026_final_.xlsx",
		"Ünïcode-name.png": "_n_code-name.png", "": "file", "..": "file.", "bo's data.json": "bo_s_data.json",
	} {
		if got := placement.FileName(in); got != want {
			t.Errorf("FileName(%q) = %q, want %q", in, got, want)
		}
	}
	n := placement.Notification{DedupKey: "k", MessageKey: "m", Files: []placement.File{{Name: "导出.csv", Data: []byte("x")}}}
	if err := n.Validate(); err == nil {
		t.Error("a notification with a non-ASCII file name was accepted")
	}
}
