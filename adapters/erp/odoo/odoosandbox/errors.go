package odoosandbox

import (
	"errors"
	"fmt"

	"github.com/erpsync/erpsync/adapters/erp/erpsandbox"
)

// Exception class paths that Odoo puts in the data.name of an error.
const (
	nameAccessDenied  = "odoo.exceptions.AccessDenied"
	nameAccessError   = "odoo.exceptions.AccessError"
	nameMissingError  = "odoo.exceptions.MissingError"
	nameUserError     = "odoo.exceptions.UserError"
	nameValidation    = "odoo.exceptions.ValidationError"
	nameValueError    = "builtins.ValueError"
	nameTypeError     = "builtins.TypeError"
	nameAttributeErr  = "builtins.AttributeError"
	nameOperational   = "psycopg2.OperationalError"
	nameGenericServer = "builtins.Exception"
)

// rpcError is an exception raised while serving a call, sent to the client
// as a JSON-RPC error envelope.
type rpcError struct {
	name    string
	message string
}

// Error returns the class path and the message.
func (e *rpcError) Error() string { return e.name + ": " + e.message }

func newError(name, format string, args ...any) *rpcError {
	return &rpcError{name: name, message: fmt.Sprintf(format, args...)}
}

func accessDenied() *rpcError {
	return &rpcError{name: nameAccessDenied, message: "Access Denied"}
}

func validationError(format string, args ...any) *rpcError {
	return newError(nameValidation, format, args...)
}

func userError(format string, args ...any) *rpcError {
	return newError(nameUserError, format, args...)
}

func valueError(format string, args ...any) *rpcError {
	return newError(nameValueError, format, args...)
}

func typeError(format string, args ...any) *rpcError {
	return newError(nameTypeError, format, args...)
}

// missingRecord is the MissingError of a record id of model that does not
// exist.
func missingRecord(model string, id int64) *rpcError {
	return newError(nameMissingError, "Record does not exist or has been deleted.\n"+
		"(Record: %s(%d,), User: %d)", model, id, defaultUID)
}

func invalidField(model, field string) *rpcError {
	return valueError("Invalid field %q on model %q", field, model)
}

// fromModel turns an error of the in-memory model into the exception Odoo
// raises in the same situation.
func fromModel(err error) *rpcError {
	var re *rpcError
	switch {
	case errors.As(err, &re):
		return re
	case errors.Is(err, erpsandbox.ErrNotFound):
		return newError(nameMissingError,
			"Record does not exist or has been deleted. (%v)", err)
	case errors.Is(err, erpsandbox.ErrInvalid):
		return validationError("The operation cannot be completed: %v", err)
	case errors.Is(err, erpsandbox.ErrState):
		return userError("%v", err)
	default:
		return newError(nameGenericServer, "%v", err)
	}
}

// envelope is the error member of a JSON-RPC answer, shaped as Odoo's
// JSON-RPC dispatcher shapes it.
type envelope struct {
	Code    int          `json:"code"`
	Message string       `json:"message"`
	Data    envelopeData `json:"data"`
}

type envelopeData struct {
	Name      string         `json:"name"`
	Message   string         `json:"message"`
	Arguments []any          `json:"arguments"`
	Context   map[string]any `json:"context"`
	Debug     string         `json:"debug"`
}

// toEnvelope renders e as the error member of an answer. Odoo 19 sends
// code 0 for every server-side exception (releases up to 17 sent 200).
func (e *rpcError) toEnvelope() envelope {
	return envelope{
		Code:    0,
		Message: "Odoo Server Error",
		Data: envelopeData{
			Name:      e.name,
			Message:   e.message,
			Arguments: []any{e.message},
			Context:   map[string]any{},
			Debug: "Traceback (most recent call last):\n" +
				"  File \"erpsync odoo sandbox\", in dispatch\n" +
				e.name + ": " + e.message + "\n",
		},
	}
}
