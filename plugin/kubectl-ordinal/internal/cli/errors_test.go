package cli

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

func TestAPIErrorsMapToExitCodes(t *testing.T) {
	gr := schema.GroupResource{Group: "operations.ordinal.dev", Resource: "opsrequests"}
	cases := []struct {
		err  error
		code int
		says string
	}{
		{apierrors.NewForbidden(gr, "x", errors.New("user u cannot create")), ExitForbidden, "no permission to create opsrequest x"},
		{apierrors.NewUnauthorized("bad token"), ExitForbidden, "did not accept the credentials"},
		{apierrors.NewNotFound(gr, "x"), ExitNotFound, `opsrequest "x" not found in namespace ns`},
		{apierrors.NewConflict(gr, "x", errors.New("changed")), ExitOpsNotSucceeded, "could not create opsrequest x"},
	}
	for _, c := range cases {
		err := apiError(c.err, "create opsrequest x", `opsrequest "x" not found in namespace ns`)
		if CodeOf(err) != c.code || !strings.Contains(err.Error(), c.says) {
			t.Errorf("%v: code %d, message %q; want %d and %q", c.err, CodeOf(err), err, c.code, c.says)
		}
	}
}

// What cobra refuses, and what a verb refuses before it connects, is a usage error (2) and says so.
func TestUsageErrorsBeforeAnythingIsSent(t *testing.T) {
	for args, says := range map[string]string{
		"frobnicate":                             `unknown command "frobnicate"`,
		"scale kafka broker --bogus":             "unknown flag: --bogus",
		"scale kafka broker":                     "exactly one of --replicas N and --by ±N",
		"scale kafka broker --replicas 1 --by 1": "exactly one of --replicas N and --by ±N",
		"offline kafka":                          "needs a cluster and at least one instance",
		"offline kafka b-0 -o xml":               "-o xml: choose yaml or json",
		"ops":                                    "needs a verb: list, describe, cancel or watch",
	} {
		var out, errOut bytes.Buffer
		root := NewRoot(context.Background(), &out, &errOut)
		root.SetArgs(append(strings.Fields(args), "--kubeconfig", "/nonexistent"))
		err := root.Execute()
		if CodeOf(err) != ExitUsage || err == nil || !strings.Contains(err.Error(), says) {
			t.Errorf("%s: code %d, error %v; want %d and %q", args, CodeOf(err), err, ExitUsage, says)
		}
	}
}
