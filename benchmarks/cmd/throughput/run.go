package main

import (
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"time"
)

// run builds the sample, measures it and returns the report.
func run(o options) (*report, error) {
	rep := &report{
		GoVersion: runtime.Version(), GOOS: runtime.GOOS, GOARCH: runtime.GOARCH, GOAMD64: buildSetting("GOAMD64"),
		CPU: cpuModel(), Revision: buildSetting("vcs.revision"), Modified: buildSetting("vcs.modified"), NumCPU: runtime.NumCPU(), GOMAXPROCS: runtime.GOMAXPROCS(0),
		LoadStart: loadAvg(), Rounds: o.rounds, SliceMs: o.slice.Milliseconds(),
	}
	say := func(s string) { fmt.Fprintln(o.progress, s) }
	say("rendering and encoding the pages")
	sets, prog, err := buildSets(o, rep)
	if err != nil {
		return nil, err
	}
	pipes := goPipelines()
	if o.djpeg {
		dir, err := os.MkdirTemp("", "throughput")
		if err != nil {
			return nil, fmt.Errorf("throughput: %w", err)
		}
		defer os.RemoveAll(dir)
		if err := writePages(dir, sets); err != nil {
			return nil, err
		}
		p, ok, err := djpegPipeline(dir)
		switch {
		case err != nil:
			return nil, err
		case ok:
			pipes = append(pipes, p)
		default:
			rep.Notes = append(rep.Notes, "djpeg not installed (apt-get install libjpeg-turbo-progs): no libjpeg-turbo reference row")
		}
	}
	cells, err := measureAll(sets, pipes, o.rounds, o.slice, say)
	if err != nil {
		return nil, err
	}
	rep.fill(sets, pipes, cells)
	if o.workers > 0 {
		say(fmt.Sprintf("worker pool: %d workers, %v", o.workers, o.pool))
		pr, err := runPool(&sets[0], runFast, o.workers, o.pool)
		if err != nil {
			return nil, err
		}
		rep.Pool = &pr
		if c := cells[[2]string{sets[0].name, "fast"}]; c != nil {
			rep.PoolScaling = pr.PagesPerS * c.total.perPage().Seconds()
		}
	}
	if o.equiv > 0 {
		say(fmt.Sprintf("equivalence: %d pages, fast path vs full decode", o.equiv))
		eq, err := equivalence(o.equiv, o.equivSeries, prog)
		if err != nil {
			return nil, err
		}
		rep.Equivalence = &eq
	}
	rep.LoadEnd = loadAvg()
	return rep, nil
}

// buildSets renders the greyscale and colour samples and loads the
// progressive one; prog is returned on its own for the equivalence check.
func buildSets(o options, rep *report) (sets []set, prog set, err error) {
	grey, err := greySet(o.pages)
	if err != nil {
		return nil, prog, err
	}
	sets = append(sets, grey)
	if o.covers > 0 {
		colour, err := colourSet(o.covers)
		if err != nil {
			return nil, prog, err
		}
		sets = append(sets, colour)
	}
	prog, err = progressiveSet(o.testdata)
	switch {
	case err != nil:
		return nil, prog, err
	case len(prog.pages) == 0:
		rep.Notes = append(rep.Notes, fmt.Sprintf("no progressive JPEGs in %s (run with -make-progressive %[1]s): progressive rows skipped", o.testdata))
	default:
		sets = append(sets, prog)
	}
	for _, s := range sets {
		lo, med, hi := s.sizes()
		rep.Sets = append(rep.Sets, setInfo{s.name, len(s.pages), kb(lo), kb(med), kb(hi)})
	}
	return sets, prog, nil
}

func kb(n int) float64 { return float64(n) / 1024 }

func buildSetting(key string) string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == key {
				return s.Value
			}
		}
	}
	return ""
}

// loadAvg is the 1-, 5- and 15-minute load average, where Linux tells it.
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	return strings.Join(strings.Fields(string(b))[:3], " ")
}

func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return ""
	}
	for l := range strings.Lines(string(b)) {
		if k, v, ok := strings.Cut(l, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// fill turns the measured cells into rows and ratios.
func (r *report) fill(sets []set, pipes []pipeline, cells map[[2]string]*cell) {
	var cpu, wall time.Duration
	for _, s := range sets {
		base := cells[[2]string{s.name, "goimagehash"}]
		for _, p := range pipes {
			c := cells[[2]string{s.name, p.key}]
			r.Rows = append(r.Rows, newRow(s.name, p, c, base))
			if p.key != "djpeg" {
				cpu, wall = cpu+c.total.cpu, wall+c.total.wall
			}
		}
		r.Speedups = append(r.Speedups, newRatio(s.name, cells))
	}
	if wall > 0 {
		r.CoreShare = cpu.Seconds() / wall.Seconds()
	}
}

func newRatio(set string, cells map[[2]string]*cell) ratio {
	fast, base := cells[[2]string{set, "fast"}], cells[[2]string{set, "goimagehash"}]
	rt := ratio{Set: set, FastOverGoimagehash: base.total.perPage().Seconds() / fast.total.perPage().Seconds()}
	var per []float64
	for i := range fast.rounds {
		per = append(per, base.rounds[i].Seconds()/fast.rounds[i].Seconds())
	}
	rt.RoundMin, rt.RoundMax = slices.Min(per), slices.Max(per)
	if full := cells[[2]string{set, "full"}]; full != nil {
		rt.FastOverFull = full.total.perPage().Seconds() / fast.total.perPage().Seconds()
	}
	if dj := cells[[2]string{set, "djpeg"}]; dj != nil {
		rt.DjpegOverFast = fast.total.perPage().Seconds() / dj.total.perPage().Seconds()
	}
	return rt
}

func newRow(set string, p pipeline, c, base *cell) row {
	t := &c.total
	perPage := t.perPage().Seconds()
	rw := row{
		Set: set, Pipeline: p.key, Label: p.label, Pages: t.ops,
		CPUMs:      perPage * 1e3,
		WallMs:     t.wall.Seconds() * 1e3 / float64(t.ops),
		PagesPerS:  1 / perPage,
		MBPerS:     float64(t.bytes) / 1e6 / t.cpu.Seconds(),
		SpeedupVsC: base.total.perPage().Seconds() / perPage,
	}
	rw.GbitPerS = rw.MBPerS * 8 / 1000
	if !t.noAlloc {
		a, b := float64(t.mallocs)/float64(t.ops), float64(t.alloc)/1024/float64(t.ops)
		rw.Allocs, rw.AllocKB = &a, &b
	}
	return rw
}
