package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"text/template"

	"github.com/erpsync/erpsync/internal/config"
	"github.com/erpsync/erpsync/internal/stack"
)

// serve runs the stack until ctx is done, then stops everything.
func serve(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("devstack", flag.ContinueOnError)
	fs.SetOutput(stderr)
	erpName := fs.String("erp", config.ERPOdoo, "ERP to sync to: "+strings.Join(config.ERPs, ", "))
	platform := fs.String("store", config.PlatformHeadless,
		"platform of the demo store: "+strings.Join(config.Platforms, ", "))
	if err := fs.Parse(args); err != nil {
		return err
	}
	if !slices.Contains(config.ERPs, *erpName) {
		return fmt.Errorf("--erp %q: want one of %s", *erpName, strings.Join(config.ERPs, ", "))
	}
	if !slices.Contains(config.Platforms, *platform) {
		return fmt.Errorf("--store %q: want one of %s", *platform,
			strings.Join(config.Platforms, ", "))
	}

	s, err := stack.Start(ctx, stack.Options{
		ERP:             *erpName,
		Platform:        *platform,
		DatabaseURL:     os.Getenv("DATABASE_URL"),
		TemporalAddress: os.Getenv("TEMPORAL_ADDRESS"),
		UsualPorts:      true,
		Schedules:       true,
		Logf:            logf(stderr),
	})
	if err != nil {
		return err
	}
	defer func() {
		fmt.Fprintln(stderr, "devstack: stopping")
		if err := s.Stop(); err != nil {
			fmt.Fprintln(stderr, "devstack:", err)
		}
	}()

	ids, err := s.SampleOrders(ctx)
	if err != nil {
		return err
	}
	if err := welcome.Execute(stdout, map[string]any{"S": s, "IDs": ids,
		"Store": stack.StoreName, "Secret": stack.WebhookSecret,
		"Env": temporalEnv(s), "Sandboxes": s.Sandboxes(), "Stores": s.StoreSandboxes()}); err != nil {
		return err
	}

	<-ctx.Done()
	return nil
}

var welcome = template.Must(template.New("welcome").Parse(`
erpsync is running.

  Temporal Web UI   {{if .S.UIURL}}{{.S.UIURL}}{{else}}(none: an existing Temporal server at {{.S.TemporalAddress}}){{end}}
  Temporal gRPC     {{.S.TemporalAddress}}
{{- if .S.Shop.Platform}}
  Webhooks          {{.S.StarterURL}}/webhooks/{{.S.Shop.Platform}}/{{.Store}}
  Store             {{.S.Shop.Platform}} sandbox at {{.S.Shop.URL}}
{{- else}}
  Webhooks          {{.S.StarterURL}}/webhooks/orders/{{.Store}}   (secret: {{.Secret}})
{{- end}}
  ERP               {{.S.ERP.Name}} sandbox at {{.S.ERP.URL}}
  Logs              {{.S.Dir}}
{{if .S.Shop.Platform}}
The {{.S.Shop.Platform}} sandbox holds sample orders {{range $i, $id := .IDs}}{{if $i}}, {{end}}{{$id}}{{end}}, and has delivered
their webhooks to the starter, signed as {{.S.Shop.Platform}} signs them; an order placed or changed
through its API is delivered the same way.
{{else}}
The demo store holds sample orders {{range $i, $id := .IDs}}{{if $i}}, {{end}}{{$id}}{{end}}. Send one as the store would:

  body='{"id":"{{index .IDs 0}}"}'
  curl -i {{.S.StarterURL}}/webhooks/orders/{{.Store}} \
    -H "X-Erpsync-Hmac-Sha256: $(printf %s "$body" | openssl dgst -sha256 -hmac {{.Secret}} -binary | base64)" \
    -d "$body"
{{end}}
Then open the Web UI and look for the workflow order/{{.Store}}/{{index .IDs 0}}. The last sample order
orders a SKU the ERP does not know: its sync parks, and the Web UI lists it under
  ErpSyncStatus="needs_attention"
From a terminal:
  {{.Env}}go run ./starter syncs list
  {{.Env}}go run ./starter syncs show {{.Store}}/{{index .IDs 2}}
  {{.Env}}go run ./starter syncs skip {{.Store}}/{{index .IDs 2}} -reason "test order" -by you

The sandbox of every ERP serves the same ERP data, and the sandbox of every store
platform the same store data; how to reach each:
{{range .Sandboxes}}  {{printf "%s" .Info}}
{{end}}{{range .Stores}}  {{printf "%s" .Info}}
{{end}}
Press Ctrl-C to stop and clean up.
`))

// temporalEnv is the environment the starter's operator commands need to
// reach the stack's Temporal server (its address, unless it is the default)
// and read the payloads its history keeps encrypted (the stack's key).
func temporalEnv(s *stack.Stack) string {
	env := config.EnvCodecKeys + "=" + stack.CodecKeys + " "
	if s.TemporalAddress == config.DefaultTemporalAddress {
		return env
	}
	return env + "TEMPORAL_ADDRESS=" + s.TemporalAddress + " "
}
