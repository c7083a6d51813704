package ops

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
)

func TestEndpoints(t *testing.T) {
	reg := prometheus.NewRegistry()
	c := prometheus.NewCounter(prometheus.CounterOpts{Name: "placementbot_test_total", Help: "test"})
	reg.MustRegister(c)
	c.Inc()
	dbUp := true
	srv := httptest.NewServer(Handler(reg, map[string]Check{
		"postgres": func(context.Context) error {
			if !dbUp {
				return errors.New("down")
			}
			return nil
		},
		"redis": func(context.Context) error { return nil },
	}))
	defer srv.Close()
	get := func(path string) (int, string) {
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, _ := get("/healthz"); code != 200 {
		t.Errorf("healthz %d", code)
	}
	if code, body := get("/readyz"); code != 200 || !strings.Contains(body, `"postgres":"ok"`) {
		t.Errorf("readyz %d %s", code, body)
	}
	dbUp = false
	if code, body := get("/readyz"); code != 503 || !strings.Contains(body, `"postgres":"unavailable"`) || !strings.Contains(body, `"redis":"ok"`) {
		t.Errorf("readyz with postgres down: %d %s", code, body)
	}
	if code, body := get("/metrics"); code != 200 || !strings.Contains(body, "placementbot_test_total 1") {
		t.Errorf("metrics %d %s", code, body)
	}
}
