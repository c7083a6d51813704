package discord

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics counts interactions by route and outcome, their latency, and backend failures.
type Metrics struct {
	interactions *prometheus.CounterVec
	latency      *prometheus.HistogramVec
	backend      *prometheus.CounterVec
}

// NewMetrics registers the interaction metrics with reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		interactions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "placementbot_interactions_total", Help: "Interactions handled, by route and outcome.",
		}, []string{"route", "outcome"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "placementbot_interaction_seconds", Help: "Time from receiving an interaction to its final answer.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"route"}),
		backend: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "placementbot_backend_errors_total", Help: "Failed calls to Postgres or Redis.",
		}, []string{"backend"}),
	}
	reg.MustRegister(m.interactions, m.latency, m.backend)
	return m
}

func (m *Metrics) observe(route, outcome string, d time.Duration) {
	if m == nil {
		return
	}
	m.interactions.WithLabelValues(route, outcome).Inc()
	m.latency.WithLabelValues(route).Observe(d.Seconds())
}

func (m *Metrics) backendError(backend string) {
	if m == nil {
		return
	}
	m.backend.WithLabelValues(backend).Inc()
}
