package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/watch"

	"ordinal.dev/kubectl-ordinal/internal/opsreq"
)

// follow watches one OpsRequest until it ends and returns it as it ended, printing a line (opsreq.Line) each time
// its phase, progress or reason changes (nothing when out is nil). A watch the API server closes is opened again
// from a fresh read. Errors: the ops was deleted before it ended, or timeout (> 0) passed first, or ctx was
// cancelled (each ExitOpsNotSucceeded, saying the ops goes on); API errors as apiError says.
func (k *kube) follow(ctx context.Context, name string, out io.Writer, timeout time.Duration) (*opsreq.OpsRequest, error) {
	if timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	last := ""
	var seen *opsreq.OpsRequest
	show := func(o *opsreq.OpsRequest) {
		seen = o
		if line := opsreq.Line(o); line != last && out != nil {
			fmt.Fprintln(out, line)
			last = line
		}
	}
	stopped := func(err error) error {
		if ctx.Err() == nil {
			return err
		}
		phase := opsreq.PhasePending
		if seen != nil {
			phase = opsreq.PhaseOf(seen)
		}
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return notSucceeded("opsrequest %s is still %s after --wait-timeout %s; it goes on (kubectl ordinal ops watch %s -n %s)",
				name, phase, timeout, name, k.namespace)
		}
		return notSucceeded("stopped following opsrequest %s (%s); it goes on", name, phase)
	}
	for {
		u, err := k.ops(k.namespace).Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			if apierrors.IsNotFound(err) && seen != nil {
				return nil, deletedBeforeEnd(name, seen)
			}
			return nil, stopped(apiError(err, fmt.Sprintf("read opsrequest %s in namespace %s", name, k.namespace),
				fmt.Sprintf("opsrequest %q not found in namespace %s", name, k.namespace)))
		}
		o, err := toOps(u)
		if err != nil {
			return nil, err
		}
		show(o)
		if opsreq.IsEnded(opsreq.PhaseOf(o)) {
			return o, nil
		}
		w, err := k.ops(k.namespace).Watch(ctx, metav1.ListOptions{
			FieldSelector:   fields.OneTermEqualSelector("metadata.name", name).String(),
			ResourceVersion: u.GetResourceVersion(),
		})
		if err != nil {
			return nil, stopped(apiError(err, fmt.Sprintf("watch opsrequest %s in namespace %s", name, k.namespace), ""))
		}
		ended, err := k.drain(ctx, w, name, show)
		w.Stop()
		if err != nil {
			return nil, err
		}
		if ended {
			return seen, nil
		}
		if ctx.Err() != nil {
			return nil, stopped(ctx.Err())
		}
		// the watch closed (the API server's timeout, or history compacted): read again and watch again
	}
}

// drain reads one watch until the ops ends (true), it is deleted (error) or the watch closes (false).
func (k *kube) drain(ctx context.Context, w watch.Interface, name string, show func(*opsreq.OpsRequest)) (bool, error) {
	var seen *opsreq.OpsRequest
	for {
		select {
		case <-ctx.Done():
			return false, nil
		case ev, ok := <-w.ResultChan():
			if !ok {
				return false, nil
			}
			u, isObject := ev.Object.(*unstructured.Unstructured)
			switch ev.Type {
			case watch.Error:
				return false, nil // e.g. 410 Gone: start again from a fresh read
			case watch.Deleted:
				if isObject {
					if o, err := toOps(u); err == nil {
						seen = o
						if opsreq.IsEnded(opsreq.PhaseOf(o)) { // ended and removed at once (a TTL of 0)
							show(o)
							return true, nil
						}
					}
				}
				return false, deletedBeforeEnd(name, seen)
			case watch.Added, watch.Modified:
				if !isObject {
					continue
				}
				o, err := toOps(u)
				if err != nil {
					return false, err
				}
				seen = o
				show(o)
				if opsreq.IsEnded(opsreq.PhaseOf(o)) {
					return true, nil
				}
			}
		}
	}
}

func deletedBeforeEnd(name string, seen *opsreq.OpsRequest) error {
	phase := opsreq.PhasePending
	if seen != nil {
		phase = opsreq.PhaseOf(seen)
	}
	return notSucceeded("opsrequest %s was deleted while %s, before it ended", name, phase)
}

// outcome is the exit of a followed ops: nil when it ended in want (Succeed for every verb, Cancelled for a
// cancel), else ExitOpsNotSucceeded naming the phase and why.
func outcome(o *opsreq.OpsRequest, want string) error {
	phase := opsreq.PhaseOf(o)
	if phase == want {
		return nil
	}
	why := opsreq.Why(o)
	if why != "" {
		why = ": " + why
	}
	return notSucceeded("opsrequest %s ended %s%s", o.Metadata.Name, phase, why)
}
