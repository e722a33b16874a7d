package api

import (
	"github.com/pingyang/ledger/replay"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

type metrics struct {
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	appended prometheus.Counter
	replay   *prometheus.HistogramVec
}

// newMetrics registers the API's metrics. Labels are route templates,
// methods and status codes: never a path, a token, a code or a pseudonym.
func newMetrics(reg *prometheus.Registry, l *replay.Ledger) *metrics {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ledger_http_requests_total", Help: "HTTP requests by route template, method and status code.",
		}, []string{"route", "method", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "ledger_http_request_duration_seconds", Help: "HTTP request latency by route template and method.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}, []string{"route", "method"}),
		appended: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "ledger_events_appended_total", Help: "Events appended through this process.",
		}),
		replay: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "ledger_replay_duration_seconds", Help: "Time to answer a query: standings, explain, diff or whatif.",
			Buckets: []float64{.0001, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1},
		}, []string{"query"}),
	}
	events := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "ledger_events", Help: "Events in the ledger as folded by this process.",
	}, func() float64 { return float64(l.Len()) })
	reg.MustRegister(m.requests, m.latency, m.appended, m.replay, events,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}
