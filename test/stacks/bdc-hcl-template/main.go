// bdc-hcl-template reads one string from stdin and parses it with HashiCorp's HCL template parser,
// the one Terraform applies to every string of a .tf.json file. It prints JSON: the text Terraform
// would produce, with each plain reference (e.g. azurerm_storage_account.a.name) shown as
// <reference>, the list of those references, and anything else Terraform would evaluate
// (function calls, directives) or a parse error. The bdc stack's tests use it to prove that
// ConfigMap text reaches the cluster verbatim.
package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

type result struct {
	Rendered   string   `json:"rendered"`
	References []string `json:"references"`
	Evaluated  []string `json:"evaluated"`
	Error      string   `json:"error,omitempty"`
}

func main() {
	src, err := io.ReadAll(os.Stdin)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	out := result{References: []string{}, Evaluated: []string{}}
	expr, diags := hclsyntax.ParseTemplate(src, "template", hcl.Pos{Line: 1, Column: 1, Byte: 0})
	if diags.HasErrors() {
		out.Error = diags.Error()
	} else {
		var b strings.Builder
		render(expr, src, &b, &out)
		out.Rendered = b.String()
	}
	if err := json.NewEncoder(os.Stdout).Encode(out); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func render(expr hclsyntax.Expression, src []byte, b *strings.Builder, out *result) {
	switch e := expr.(type) {
	case *hclsyntax.TemplateExpr:
		for _, part := range e.Parts {
			render(part, src, b, out)
		}
	case *hclsyntax.TemplateWrapExpr:
		render(e.Wrapped, src, b, out)
	case *hclsyntax.LiteralValueExpr:
		if e.Val.Type() == cty.String {
			b.WriteString(e.Val.AsString())
		} else {
			out.Evaluated = append(out.Evaluated, sourceOf(e, src))
		}
	case *hclsyntax.ScopeTraversalExpr:
		ref := sourceOf(e, src)
		out.References = append(out.References, ref)
		b.WriteString("<" + ref + ">")
	default:
		out.Evaluated = append(out.Evaluated, sourceOf(e, src))
	}
}

func sourceOf(e hclsyntax.Expression, src []byte) string {
	r := e.Range()
	return string(src[r.Start.Byte:r.End.Byte])
}
