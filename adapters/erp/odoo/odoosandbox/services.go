package odoosandbox

import (
	"crypto/subtle"
	"encoding/json"
	"strconv"
	"strings"
)

// version is what common.version answers: the sandbox is an Odoo 19,
// which serves both JSON-RPC (deprecated) and JSON-2.
var version = map[string]any{
	"server_version":      "19.0",
	"server_version_info": versionInfo,
	"server_serie":        "19.0",
	"protocol_version":    1,
}

// versionInfo is the release as Odoo numbers it.
var versionInfo = []any{19, 0, 0, "final", 0, ""}

// dispatch runs one call of the common or object service.
func (s *sandbox) dispatch(c rpcCall) (any, error) {
	if c.service == nil || c.method == nil {
		return nil, typeError("jsonrpc() missing required arguments: 'service' and 'method'")
	}
	service, ok1 := c.service.(string)
	method, ok2 := c.method.(string)
	args, ok3 := c.args.([]any)
	if c.args == nil {
		args, ok3 = []any{}, true
	}
	if !ok1 || !ok2 || !ok3 {
		return nil, typeError("service and method must be strings and args a list")
	}

	switch service {
	case "common":
		return s.common(method, args)
	case "object":
		return s.object(method, args)
	case "db":
		return nil, accessDenied() // the database manager is disabled
	}
	return nil, newError("builtins.NameError", "Unknown service %q", service)
}

// common serves the common service: version, login and authenticate.
func (s *sandbox) common(method string, args []any) (any, error) {
	switch method {
	case "version":
		return version, nil
	case "login":
		if len(args) != 3 {
			return nil, typeError("exp_login() takes 3 positional arguments but %d were given",
				len(args))
		}
	case "authenticate":
		if len(args) != 4 {
			return nil, typeError("exp_authenticate() takes 4 positional arguments but %d "+
				"were given", len(args))
		}
	default:
		return nil, newError(nameAttributeErr, "The method %q does not exist on the common "+
			"service", method)
	}

	if err := s.checkDB(args[0]); err != nil {
		return nil, err
	}
	login, _ := args[1].(string)
	if login != s.creds.Login || !s.validSecret(args[2]) {
		return false, nil
	}
	return int64(defaultUID), nil
}

// object serves execute_kw(db, uid, password, model, method, args, kwargs)
// and execute(db, uid, password, model, method, *args).
func (s *sandbox) object(method string, args []any) (any, error) {
	if method != "execute_kw" && method != "execute" {
		return nil, newError(nameAttributeErr, "The method %q does not exist on the object "+
			"service", method)
	}
	if len(args) < 5 || (method == "execute_kw" && len(args) > 7) {
		return nil, typeError("%s() got %d positional arguments", method, len(args))
	}

	if err := s.checkDB(args[0]); err != nil {
		return nil, err
	}
	if !s.validUID(args[1]) || !s.validSecret(args[2]) {
		return nil, accessDenied()
	}

	c, err := methodCall(method, args)
	if err != nil {
		return nil, err
	}
	modelName, _ := args[3].(string)
	def, ok := s.models[modelName]
	if !ok {
		return nil, userError("Object %s doesn't exist", modelName)
	}
	if strings.HasPrefix(c.method, "_") {
		return nil, newError(nameAccessError, "Private methods (such as %s) cannot be called "+
			"remotely.", c.method)
	}
	return s.execute(def, c)
}

// methodCall reads the model method, its arguments and keyword arguments.
func methodCall(method string, args []any) (callArgs, error) {
	name, ok := args[4].(string)
	if !ok {
		return callArgs{}, typeError("the method name must be a string")
	}
	if method == "execute" {
		return callArgs{method: name, args: args[5:], kwargs: map[string]any{}}, nil
	}

	c := callArgs{method: name, args: []any{}, kwargs: map[string]any{}}
	if len(args) > 5 && args[5] != nil {
		if c.args, ok = args[5].([]any); !ok {
			return callArgs{}, typeError("execute_kw() args must be a list")
		}
	}
	if len(args) > 6 && args[6] != nil {
		if c.kwargs, ok = args[6].(map[string]any); !ok {
			return callArgs{}, typeError("execute_kw() kwargs must be a dictionary")
		}
	}
	return c, nil
}

// checkDB refuses databases other than the sandbox's, as PostgreSQL would.
func (s *sandbox) checkDB(raw any) error {
	db, _ := raw.(string)
	if db != s.creds.DB {
		return newError(nameOperational, "connection to server failed: FATAL:  database %q "+
			"does not exist", db)
	}
	return nil
}

func (s *sandbox) validUID(raw any) bool {
	n, ok := raw.(json.Number)
	if !ok {
		return false
	}
	uid, err := strconv.ParseInt(n.String(), 10, 64)
	return err == nil && uid == defaultUID
}

// validSecret reports whether raw is the password or the API key.
func (s *sandbox) validSecret(raw any) bool {
	given, ok := raw.(string)
	if !ok || given == "" {
		return false
	}
	for _, secret := range []string{s.creds.Password, s.creds.APIKey} {
		if secret != "" && subtle.ConstantTimeCompare([]byte(given), []byte(secret)) == 1 {
			return true
		}
	}
	return false
}
