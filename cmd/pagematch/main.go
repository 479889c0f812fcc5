package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"strings"
	"syscall"

	"github.com/pagematch/pagematch/fingerprint"
	"github.com/pagematch/pagematch/index"
)

// Exit statuses.
const (
	exitOK          = 0
	exitFail        = 1   // some input failed, or the command could not run
	exitUsage       = 2   // bad command line
	exitInterrupted = 130 // cancelled by a signal, as shells report SIGINT
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		<-ctx.Done()
		stop() // a second Ctrl-C kills at once
	}()
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// app holds the streams of one run, so that tests can drive run in-process.
type app struct {
	stdin          io.Reader
	stdout, stderr io.Writer
}

// run executes the command line args (without the program name) and returns
// the exit status.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	a := &app{stdin: stdin, stdout: stdout, stderr: stderr}
	if len(args) == 0 {
		a.usage(stderr)
		return exitUsage
	}
	switch args[0] {
	case "index":
		return a.index(ctx, args[1:])
	case "match":
		return a.match(ctx, args[1:])
	case "hash":
		return a.hash(ctx, args[1:])
	case "version", "-version", "--version":
		a.version()
		return exitOK
	case "help", "-h", "-help", "--help":
		a.usage(stdout)
		return exitOK
	}
	a.errorf("unknown command %q (run 'pagematch -h' for usage)", args[0])
	return exitUsage
}

func (a *app) usage(w io.Writer) {
	fmt.Fprint(w, `pagematch finds pirated copies of manga pages.

usage:
  pagematch index build -o FILE [flags] PATH...   fingerprint pages into an index
  pagematch index info [flags] FILE               describe an index and verify it
  pagematch index merge -o OUT [flags] A B...     merge indexes
  pagematch match --index FILE [flags] PATH...    look images up in an index
  pagematch hash [flags] PATH...                  print fingerprints
  pagematch version                               print the version

Run 'pagematch COMMAND -h' for the flags of a command.
`)
}

func (a *app) index(ctx context.Context, args []string) int {
	if len(args) == 0 {
		a.errorf("index: missing subcommand: build, info or merge")
		return exitUsage
	}
	switch args[0] {
	case "build":
		return a.indexBuild(ctx, args[1:])
	case "info":
		return a.indexInfo(args[1:])
	case "merge":
		return a.indexMerge(ctx, args[1:])
	case "-h", "-help", "--help", "help":
		a.usage(a.stdout)
		return exitOK
	}
	a.errorf("index: unknown subcommand %q: want build, info or merge", args[0])
	return exitUsage
}

func (a *app) version() {
	v, rev := "(devel)", ""
	if bi, ok := debug.ReadBuildInfo(); ok {
		if bi.Main.Version != "" {
			v = bi.Main.Version
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = " " + s.Value[:min(len(s.Value), 12)] + rev
			case "vcs.modified":
				if s.Value == "true" {
					rev += "+dirty"
				}
			}
		}
	}
	fmt.Fprintf(a.stdout, "pagematch %s%s %s\n", v, rev, runtime.Version())
	fmt.Fprintf(a.stdout, "fingerprint %s: %d bits, default threshold %d, min quality %d\n",
		index.DefaultAlgorithm, fingerprint.HashBits, fingerprint.DefaultThreshold, fingerprint.MinQuality)
}

// errorf prints one line to stderr, prefixed with the program name.
func (a *app) errorf(format string, args ...any) {
	fmt.Fprintf(a.stderr, "pagematch: "+format+"\n", args...)
}

// command is the flag set of one subcommand, with its help text.
type command struct {
	*flag.FlagSet
	name, synopsis, help string
	a                    *app
	required             []requiredFlag
	fp                   *fpFlags // fingerprinting flags, if registered
}

type requiredFlag struct {
	name  string
	value *string
}

// requiredString defines a string flag that parse insists on.
func (c *command) requiredString(name, usage string) *string {
	v := c.String(name, "", usage+" (required)")
	c.required = append(c.required, requiredFlag{name, v})
	return v
}

func (a *app) command(name, synopsis, help string) *command {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	// Errors are printed by parse, with the program prefix; help goes to stdout.
	fs.SetOutput(io.Discard)
	return &command{FlagSet: fs, name: name, synopsis: synopsis, help: help, a: a}
}

func (c *command) printHelp(w io.Writer) {
	fmt.Fprintf(w, "usage: pagematch %s %s\n\n%s\n", c.name, c.synopsis, strings.TrimSpace(c.help))
	n := 0
	c.VisitAll(func(*flag.Flag) { n++ })
	if n > 0 {
		fmt.Fprint(w, "\nflags:\n")
		c.SetOutput(w)
		c.PrintDefaults()
		c.SetOutput(io.Discard)
	}
}

// parse parses flags interspersed with positional arguments, as users type
// "pagematch match ./dir --json". It returns the positional arguments, or
// ok false and the exit status (0 after -h).
func (c *command) parse(args []string, minArgs int) (pos []string, code int, ok bool) {
	for {
		if err := c.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				c.printHelp(c.a.stdout)
				return nil, exitOK, false
			}
			c.a.errorf("%s: %v (run 'pagematch %s -h' for usage)", c.name, err, c.name)
			return nil, exitUsage, false
		}
		rest := c.Args()
		if n := len(args) - len(rest); n > 0 && args[n-1] == "--" {
			pos = append(pos, rest...)
			break
		}
		if len(rest) == 0 {
			break
		}
		pos, args = append(pos, rest[0]), rest[1:]
	}
	if len(pos) < minArgs {
		c.a.errorf("%s: want at least %d argument(s) (run 'pagematch %s -h' for usage)", c.name, minArgs, c.name)
		return nil, exitUsage, false
	}
	for _, r := range c.required {
		if *r.value == "" {
			return nil, c.usageErr("-%s is required", r.name), false
		}
	}
	if c.fp != nil {
		if code, ok := c.fp.check(c); !ok {
			return nil, code, false
		}
	}
	return pos, exitOK, true
}

// usageErr reports a bad flag value.
func (c *command) usageErr(format string, args ...any) int {
	c.a.errorf("%s: %s", c.name, fmt.Sprintf(format, args...))
	return exitUsage
}

// fpFlags are the fingerprinting flags shared by build, match and hash.
type fpFlags struct {
	workers   int
	maxBytes  int64
	maxPixels int64
	slow      bool
	phash     bool
	regions   bool // also hash the content box's halves
}

// fingerprintFlags registers the fingerprinting flags; parse checks them.
func (c *command) fingerprintFlags() *fpFlags {
	f := &fpFlags{}
	c.fp = f
	c.IntVar(&f.workers, "workers", runtime.GOMAXPROCS(0), "fingerprint `N` images at a time")
	c.Int64Var(&f.maxBytes, "max-bytes", fingerprint.DefaultMaxBytes, "reject images larger than `N` bytes")
	c.Int64Var(&f.maxPixels, "max-pixels", fingerprint.DefaultMaxPixels, "reject images declaring more than `N` pixels")
	c.BoolVar(&f.slow, "full-decode", false, "decode JPEGs fully instead of the DC-only fast path")
	return f
}

func (f *fpFlags) check(c *command) (int, bool) {
	if f.workers < 1 {
		return c.usageErr("--workers must be at least 1, got %d", f.workers), false
	}
	if f.maxBytes < 1 || f.maxPixels < 1 {
		return c.usageErr("--max-bytes and --max-pixels must be positive"), false
	}
	return exitOK, true
}

func (f *fpFlags) options() []fingerprint.Option {
	return []fingerprint.Option{
		fingerprint.WithMaxBytes(f.maxBytes),
		fingerprint.WithMaxPixels(f.maxPixels),
		fingerprint.WithFastPath(!f.slow),
		fingerprint.WithPHash(f.phash),
		fingerprint.WithRegions(f.regions),
	}
}

// eachImage fingerprints the inputs and calls emit, in input order, for
// every image that fingerprinted. Skipped files are noted on stderr;
// failures are written to out as error records and counted.
func (a *app) eachImage(ctx context.Context, f *fpFlags, paths []string, out *recordWriter,
	emit func(input, *fingerprint.Fingerprint)) (failed int, err error) {
	err = process(ctx, f.workers, inputs(paths), fingerprinter(a.stdin, f.options()), func(in input, o outcome) {
		switch {
		case o.skip != "":
			a.errorf("skipped %s: %s", in.path, o.skip)
		case o.err != nil:
			failed++
			out.write(errorRecord{Path: in.path, Error: o.err.Error()}, in.path, "error: "+o.err.Error())
		default:
			emit(in, o.fp)
		}
	})
	out.flush()
	return failed, err
}

// status is the exit status of a run that processed inputs.
func (a *app) status(err error, failed int) int {
	switch {
	case err != nil:
		return a.interrupted(err, "")
	case failed > 0:
		return exitFail
	}
	return exitOK
}

// interrupted reports a cancelled run.
func (a *app) interrupted(err error, what string) int {
	a.errorf("interrupted (%v)%s", err, what)
	return exitInterrupted
}
