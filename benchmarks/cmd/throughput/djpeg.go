package main

import (
	"fmt"
	"image"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/pagematch/pagematch/internal/pirate"
)

// djpegArgs is libjpeg-turbo's cheapest route to a luma thumbnail: a 1/8
// scale (DC-only) greyscale decode, written nowhere.
var djpegArgs = []string{"-scale", "1/8", "-grayscale", "-outfile", os.DevNull}

// writePages puts every page on disk under dir, for djpeg.
func writePages(dir string, sets []set) error {
	for si := range sets {
		for pi := range sets[si].pages {
			p := &sets[si].pages[pi]
			p.path = filepath.Join(dir, fmt.Sprintf("%s-%d.jpg", sets[si].name, pi))
			if err := os.WriteFile(p.path, p.data, 0o644); err != nil {
				return fmt.Errorf("throughput: %w", err)
			}
		}
	}
	return nil
}

// djpegPipeline is the libjpeg-turbo reference row. ok is false when djpeg
// is not installed. Every page run is paired with a run on an 8×8 JPEG,
// and the pair's difference is kept: that removes the cost of starting a
// process (exec, dynamic linking) under the same load as the page run.
func djpegPipeline(dir string) (p pipeline, ok bool, err error) {
	bin, lookErr := exec.LookPath("djpeg")
	if lookErr != nil {
		return p, false, nil
	}
	tinyJPEG, err := pirate.EncodeJPEG(image.NewGray(image.Rect(0, 0, 8, 8)), quality)
	if err != nil {
		return p, false, err
	}
	tiny := filepath.Join(dir, "tiny.jpg")
	if err := os.WriteFile(tiny, tinyJPEG, 0o644); err != nil {
		return p, false, fmt.Errorf("throughput: %w", err)
	}
	run := func(path string) (cpu, wall time.Duration, err error) {
		cmd := exec.Command(bin, append(djpegArgs, path)...)
		t0 := time.Now()
		out, err := cmd.CombinedOutput()
		wall = time.Since(t0)
		if err != nil {
			return 0, 0, fmt.Errorf("throughput: djpeg %s: %w: %s", path, err, out)
		}
		return cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime(), wall, nil
	}
	measure := func(s *set, slice time.Duration) (sample, error) {
		smp := sample{noAlloc: true}
		t0 := time.Now()
		for smp.ops == 0 || time.Since(t0) < slice {
			for _, pg := range s.pages {
				c0, w0, err := run(tiny)
				if err != nil {
					return smp, err
				}
				c1, w1, err := run(pg.path)
				if err != nil {
					return smp, err
				}
				smp.cpu += c1 - c0
				smp.wall += w1 - w0
				smp.ops++
				smp.bytes += int64(len(pg.data))
			}
		}
		return smp, nil
	}
	return pipeline{"djpeg", "libjpeg-turbo `djpeg -scale 1/8 -grayscale` (reference, no hash)", measure}, true, nil
}
