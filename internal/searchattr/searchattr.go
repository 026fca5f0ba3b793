// Package searchattr registers the custom search attributes that erpsync's
// workflows set, so that operators can filter syncs by status and reason.
package searchattr

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/sdk/client"
)

// Ensure makes sure that namespace has the custom search
// attributes attrs (name to type): it adds the missing ones through the
// operator service and waits until the server lists them. An attribute that
// exists with another type is an error. devstack runs it against its dev
// server; on a shared cluster an operator runs it with "starter setup".
func Ensure(ctx context.Context, c client.Client, namespace string,
	attrs map[string]enumspb.IndexedValueType) error {
	missing, err := missingSearchAttributes(ctx, c, namespace, attrs)
	if err != nil || len(missing) == 0 {
		return err
	}

	_, err = c.OperatorService().AddSearchAttributes(ctx,
		&operatorservice.AddSearchAttributesRequest{
			Namespace: namespace, SearchAttributes: missing,
		})
	if err != nil {
		return fmt.Errorf("add search attributes %v to namespace %s: %w",
			slices.Sorted(maps.Keys(missing)), namespace, err)
	}

	for {
		select {
		case <-ctx.Done():
			return fmt.Errorf("wait for search attributes %v of namespace %s: %w",
				slices.Sorted(maps.Keys(missing)), namespace, ctx.Err())
		case <-time.After(200 * time.Millisecond):
		}
		missing, err = missingSearchAttributes(ctx, c, namespace, attrs)
		if err != nil || len(missing) == 0 {
			return err
		}
	}
}

// missingSearchAttributes returns the attributes in attrs that namespace
// lacks, or an error when one exists with another type.
func missingSearchAttributes(ctx context.Context, c client.Client, namespace string,
	attrs map[string]enumspb.IndexedValueType) (map[string]enumspb.IndexedValueType, error) {
	resp, err := c.OperatorService().ListSearchAttributes(ctx,
		&operatorservice.ListSearchAttributesRequest{Namespace: namespace})
	if err != nil {
		return nil, fmt.Errorf("list search attributes of namespace %s: %w", namespace, err)
	}

	missing := map[string]enumspb.IndexedValueType{}
	for name, want := range attrs {
		got, ok := resp.GetCustomAttributes()[name]
		if !ok {
			missing[name] = want
		} else if got != want {
			return nil, fmt.Errorf("search attribute %s of namespace %s has type %s, want %s",
				name, namespace, got, want)
		}
	}
	return missing, nil
}
