package main

import (
	"strings"

	"github.com/erpsync/erpsync/adapters/erp/erpsandbox"
	"github.com/erpsync/erpsync/internal/stack"
)

// faultsFlag is the --faults flag: alone it turns on the demo's fault mix,
// "false" or "none" turns faults off, and anything else is a fault spec such
// as 5xx=0.1,429=0.1,lost=0.05,latency=20ms.
type faultsFlag struct {
	cfg  erpsandbox.Config
	text string
}

func (f *faultsFlag) String() string { return f.text }

func (f *faultsFlag) Set(s string) error {
	switch s {
	case "true":
		f.cfg, f.text = stack.DemoFaults, s
		return nil
	case "false":
		f.cfg, f.text = erpsandbox.Config{}, s
		return nil
	}
	cfg, err := erpsandbox.ParseSpec(s)
	if err != nil {
		return err
	}
	f.cfg, f.text = cfg, s
	return nil
}

// joinFaultSpec lets --faults stand alone, meaning "true", and take its
// value after a space or an "=", as other flags do.
func joinFaultSpec(args []string) []string {
	out := make([]string, 0, len(args))
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--faults" || a == "-faults" {
			if i+1 < len(args) && !strings.HasPrefix(args[i+1], "-") {
				a += "=" + args[i+1]
				i++
			} else {
				a += "=true"
			}
		}
		out = append(out, a)
	}
	return out
}
