package match

import "errors"

// Errors returned by this package. They are wrapped with context; test for
// them with errors.Is.
var (
	// ErrNilIndex is returned by New and Reload when given a nil index.
	ErrNilIndex = errors.New("match: nil index")
	// ErrTooLarge means a body is larger than the inspection cap
	// (WithMaxBytes) and was not fingerprinted.
	ErrTooLarge = errors.New("match: body larger than the inspection cap")
	// ErrTimeout means the fingerprint did not finish within the time
	// budget (WithBudget) or the caller's context ended first. The
	// fingerprint keeps running in the background and its verdict is
	// cached for later requests.
	ErrTimeout = errors.New("match: fingerprint time budget exceeded")
	// ErrBusy means no fingerprint slot (WithConcurrency) or held-memory
	// budget (WithMaxHeldBytes) was free within the time budget, so the
	// body was not fingerprinted.
	ErrBusy = errors.New("match: fingerprint capacity exhausted")
	// ErrFingerprint wraps a fingerprint failure: a corrupt, truncated or
	// unsupported image, or one over the fingerprint package's limits.
	ErrFingerprint = errors.New("match: fingerprint failed")

	errHandlerPanic = errors.New("match: handler panicked")
	errUpstreamCut  = errors.New("match: upstream body failed")
)
