package cli

import (
	"errors"
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"

	"ordinal.dev/kubectl-ordinal/internal/opsreq"
)

// Exit codes of kubectl-ordinal (docs/kubectl-plugin.md, "Exit codes").
const (
	// ExitOK: done; with --wait, the ops ended Succeed.
	ExitOK = 0
	// ExitOpsNotSucceeded: the ops ended Failed, Cancelled or Aborted (or was deleted, or --wait-timeout passed
	// first), or the API server refused the request for another reason.
	ExitOpsNotSucceeded = 1
	// ExitUsage: a bad verb, argument or flag; nothing was sent.
	ExitUsage = 2
	// ExitNotFound: the cluster, component, instance or ops does not exist.
	ExitNotFound = 3
	// ExitForbidden: the API server refused the credentials or the permission (401, 403).
	ExitForbidden = 4
)

// ExitError carries the exit code a failure ends the plugin with.
type ExitError struct {
	Code int
	Err  error
}

func (e *ExitError) Error() string { return e.Err.Error() }
func (e *ExitError) Unwrap() error { return e.Err }

func usage(format string, args ...any) error {
	return &ExitError{Code: ExitUsage, Err: fmt.Errorf(format, args...)}
}

func notSucceeded(format string, args ...any) error {
	return &ExitError{Code: ExitOpsNotSucceeded, Err: fmt.Errorf(format, args...)}
}

// apiError turns an error of the API server into an ExitError whose message says what was being done: a 403/401
// becomes ExitForbidden ("no permission to <doing>: ..."), a 404 ExitNotFound with notFound's message when given.
func apiError(err error, doing string, notFound string) error {
	var exit *ExitError
	if errors.As(err, &exit) {
		return err
	}
	switch {
	case apierrors.IsNotFound(err) && notFound != "":
		return &ExitError{Code: ExitNotFound, Err: errors.New(notFound)}
	case apierrors.IsNotFound(err):
		return &ExitError{Code: ExitNotFound, Err: fmt.Errorf("%s: %v", doing, err)}
	case apierrors.IsForbidden(err):
		return &ExitError{Code: ExitForbidden, Err: fmt.Errorf("no permission to %s: %v", doing, err)}
	case apierrors.IsUnauthorized(err):
		return &ExitError{Code: ExitForbidden, Err: fmt.Errorf("the API server did not accept the credentials (to %s): %v", doing, err)}
	}
	return &ExitError{Code: ExitOpsNotSucceeded, Err: fmt.Errorf("could not %s: %v", doing, err)}
}

// CodeOf is the exit code for an error a command returned: an ExitError's code, a builder's usage or not-found
// error, and ExitUsage for what cobra itself refuses (unknown verb, bad flag, wrong arguments).
func CodeOf(err error) int {
	var exit *ExitError
	var u *opsreq.UsageError
	var nf *opsreq.NotFoundError
	switch {
	case err == nil:
		return ExitOK
	case errors.As(err, &exit):
		return exit.Code
	case errors.As(err, &u):
		return ExitUsage
	case errors.As(err, &nf):
		return ExitNotFound
	}
	return ExitUsage
}
