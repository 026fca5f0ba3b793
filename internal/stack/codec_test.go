package stack

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	commonpb "go.temporal.io/api/common/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/erpsync/erpsync/adapters/store"
	"github.com/erpsync/erpsync/internal/codec"
	"github.com/erpsync/erpsync/internal/synclog"
	"github.com/erpsync/erpsync/workflows"
)

func TestHistoryHoldsNoCustomerDataInClear(t *testing.T) {
	email := fmt.Sprintf("codec-%d@example.com", orderSeq.Int64())
	id, _ := placeOrder(t, func(o *store.Order) { o.Customer.Email = email })
	if code := webhook(t, id, "codec-"+id); code != http.StatusAccepted {
		t.Fatalf("webhook answered %d, want 202", code)
	}
	waitStatus(t, id, synclog.StatusSynced)

	payloads := rawHistoryPayloads(t, workflows.OrderWorkflowID(StoreName, id))
	encrypted := 0
	for _, p := range payloads {
		if bytes.Contains(p.Data, []byte(email)) {
			t.Fatalf("history payload (encoding %q) holds the customer's e-mail in clear",
				p.Metadata[converter.MetadataEncoding])
		}
		if string(p.Metadata[converter.MetadataEncoding]) == codec.Encoding {
			encrypted++
		}
	}
	if encrypted == 0 {
		t.Fatalf("none of %d history payloads is encrypted", len(payloads))
	}

	decoded := decodeWithStackCodec(t, payloads)
	if !anyHolds(decoded, email) {
		t.Errorf("no decoded history payload holds the customer's e-mail")
	}
	if !anyHolds(decodeThroughStarter(t, payloads), email) {
		t.Errorf("the starter's /codec/decode does not reveal the customer's e-mail")
	}
}

// rawHistoryPayloads reads the workflow's history through a client without
// the codec, as anyone with access to Temporal could, and returns every
// payload in it.
func rawHistoryPayloads(t *testing.T, workflowID string) []*commonpb.Payload {
	t.Helper()
	plain, err := client.DialContext(t.Context(), client.Options{
		HostPort: st.TemporalAddress, Namespace: st.Namespace,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer plain.Close()

	var payloads []*commonpb.Payload
	it := plain.GetWorkflowHistory(t.Context(), workflowID, "", false, 0)
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			t.Fatalf("read history of %s: %v", workflowID, err)
		}
		payloads = append(payloads, payloadsIn(ev)...)
	}
	if len(payloads) == 0 {
		t.Fatalf("history of %s holds no payloads", workflowID)
	}
	return payloads
}

// payloadsIn returns every payload anywhere inside the event, failures'
// encoded attributes included.
func payloadsIn(ev *historypb.HistoryEvent) []*commonpb.Payload {
	var out []*commonpb.Payload
	var walk func(m protoreflect.Message)
	walk = func(m protoreflect.Message) {
		if p, ok := m.Interface().(*commonpb.Payload); ok {
			out = append(out, p)
			return
		}
		m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
			switch {
			case fd.Message() == nil:
			case fd.IsList():
				for i := range v.List().Len() {
					walk(v.List().Get(i).Message())
				}
			case fd.IsMap():
				v.Map().Range(func(_ protoreflect.MapKey, mv protoreflect.Value) bool {
					if fd.MapValue().Message() != nil {
						walk(mv.Message())
					}
					return true
				})
			default:
				walk(v.Message())
			}
			return true
		})
	}
	walk(proto.Message(ev).ProtoReflect())
	return out
}

// decodeWithStackCodec decodes payloads with the keys of the stack's worker
// and starter.
func decodeWithStackCodec(t *testing.T, payloads []*commonpb.Payload) []*commonpb.Payload {
	t.Helper()
	keys, err := codec.ParseKeys(CodecKeys)
	if err != nil {
		t.Fatal(err)
	}
	c, err := codec.New(keys...)
	if err != nil {
		t.Fatal(err)
	}
	out, err := c.Decode(payloads)
	if err != nil {
		t.Fatalf("decode history payloads: %v", err)
	}
	return out
}

// decodeThroughStarter decodes payloads through the starter's codec
// endpoint, as the Web UI does.
func decodeThroughStarter(t *testing.T, payloads []*commonpb.Payload) []*commonpb.Payload {
	t.Helper()
	body, err := protojson.Marshal(&commonpb.Payloads{Payloads: payloads})
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost,
		st.StarterURL+"/codec/decode", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Namespace", st.Namespace)

	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("POST /codec/decode: %d %s %v", resp.StatusCode, answer, err)
	}

	var out commonpb.Payloads
	if err := protojson.Unmarshal(answer, &out); err != nil {
		t.Fatalf("parse /codec/decode answer: %v", err)
	}
	return out.Payloads
}

// anyHolds reports whether any payload's data contains s.
func anyHolds(payloads []*commonpb.Payload, s string) bool {
	for _, p := range payloads {
		if strings.Contains(string(p.Data), s) {
			return true
		}
	}
	return false
}

// TestREADMEShowsTheSandboxKey keeps the key the README gives for the
// operator commands against devstack the one the stack uses.
func TestREADMEShowsTheSandboxKey(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(readme), "ERPSYNC_CODEC_KEYS="+CodecKeys) {
		t.Errorf("README.md does not give devstack's codec key %s", CodecKeys)
	}
}
