package main

import (
	"flag"
	"io"
	"slices"
	"testing"

	"github.com/erpsync/erpsync/internal/stack"
)

func TestFaultsFlag(t *testing.T) {
	cases := []struct {
		args []string
		want float64 // server error probability
	}{
		{nil, stack.DemoFaults.ServerError.Probability},
		{[]string{"--faults"}, stack.DemoFaults.ServerError.Probability},
		{[]string{"--faults", "--orders", "3"}, stack.DemoFaults.ServerError.Probability},
		{[]string{"--faults=false"}, 0},
		{[]string{"-faults", "none"}, 0},
		{[]string{"--faults", "5xx=0.25,lost=0.1"}, 0.25},
		{[]string{"--faults=5xx=0.5"}, 0.5},
	}
	for _, tc := range cases {
		fs := flag.NewFlagSet("demo", flag.ContinueOnError)
		f := faultsFlag{cfg: stack.DemoFaults}
		fs.Var(&f, "faults", "")
		fs.Int("orders", 1, "")
		if err := fs.Parse(joinFaultSpec(tc.args)); err != nil {
			t.Errorf("%v: %v", tc.args, err)
			continue
		}
		if got := f.cfg.ServerError.Probability; got != tc.want {
			t.Errorf("%v: 5xx probability %v, want %v", tc.args, got, tc.want)
		}
	}
}

func TestFaultsFlagRefusesABadSpec(t *testing.T) {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	f := faultsFlag{}
	fs.Var(&f, "faults", "")
	if err := fs.Parse(joinFaultSpec([]string{"--faults", "5xx=2"})); err == nil {
		t.Error("a probability of 2 was accepted")
	}
	if got := joinFaultSpec([]string{"--orders", "5"}); !slices.Equal(got, []string{"--orders", "5"}) {
		t.Errorf("other flags changed: %v", got)
	}
}
