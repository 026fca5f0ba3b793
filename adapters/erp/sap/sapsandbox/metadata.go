package sapsandbox

import (
	"fmt"
	"net/http"
	"strings"
)

// serveMetadata answers $metadata with an EDMX document of the service's
// entity types, sets and associations, enough for OData client generators.
func (s *Server) serveMetadata(w http.ResponseWriter, req request) {
	ns := req.service
	var types, assocs, sets, assocSets strings.Builder
	for _, t := range s.types[req.service] {
		writeEntityType(&types, ns, t)
		fmt.Fprintf(&sets, `<EntitySet Name="%s" EntityType="%s.%s"/>`, t.set, ns, t.name)
		for _, n := range t.navs {
			target := s.sets[n.target].typ
			name := "assoc_" + t.name + "_" + n.name
			multiplicity := "0..1"
			if n.many {
				multiplicity = "*"
			}
			fmt.Fprintf(&assocs, `<Association Name="%s"><End Type="%s.%s" Multiplicity="1" `+
				`Role="FromRole_%s"/><End Type="%s.%s" Multiplicity="%s" Role="ToRole_%s"/>`+
				`</Association>`, name, ns, t.name, name, ns, target.name, multiplicity, name)
			fmt.Fprintf(&assocSets, `<AssociationSet Name="%s_set" Association="%s.%s">`+
				`<End EntitySet="%s" Role="FromRole_%s"/><End EntitySet="%s" Role="ToRole_%s"/>`+
				`</AssociationSet>`, name, ns, name, t.set, name, target.set, name)
		}
	}

	w.Header().Set("Content-Type", "application/xml")
	w.Header().Set("DataServiceVersion", "2.0")
	_, _ = fmt.Fprintf(w, `<?xml version="1.0" encoding="utf-8"?>`+
		`<edmx:Edmx Version="1.0" xmlns:edmx="http://schemas.microsoft.com/ado/2007/06/edmx" `+
		`xmlns:m="http://schemas.microsoft.com/ado/2007/08/dataservices/metadata" `+
		`xmlns:sap="http://www.sap.com/Protocols/SAPData">`+
		`<edmx:DataServices m:DataServiceVersion="2.0">`+
		`<Schema Namespace="%s" xml:lang="en" sap:schema-version="1" `+
		`xmlns="http://schemas.microsoft.com/ado/2008/09/edm">%s%s`+
		`<EntityContainer Name="%s_Entities" m:IsDefaultEntityContainer="true">%s%s`+
		`</EntityContainer></Schema></edmx:DataServices></edmx:Edmx>`,
		ns, types.String(), assocs.String(), ns, sets.String(), assocSets.String())
}

func writeEntityType(b *strings.Builder, ns string, t *entityType) {
	fmt.Fprintf(b, `<EntityType Name="%s"><Key>`, t.name)
	for _, k := range t.keys {
		fmt.Fprintf(b, `<PropertyRef Name="%s"/>`, k)
	}
	b.WriteString(`</Key>`)
	for _, p := range t.props {
		attrs := fmt.Sprintf(`Name="%s" Type="%s"`, p.name, p.edm)
		switch {
		case p.maxLength > 0:
			attrs += fmt.Sprintf(` MaxLength="%d"`, p.maxLength)
		case p.edm == edmDecimal:
			attrs += ` Precision="15" Scale="3"`
		case p.edm == edmDateTime:
			attrs += ` Precision="0" sap:display-format="Date"`
		}
		if isKey(t, p.name) {
			attrs += ` Nullable="false"`
		}
		fmt.Fprintf(b, `<Property %s/>`, attrs)
	}
	for _, n := range t.navs {
		name := "assoc_" + t.name + "_" + n.name
		fmt.Fprintf(b, `<NavigationProperty Name="%s" Relationship="%s.%s" `+
			`FromRole="FromRole_%s" ToRole="ToRole_%s"/>`, n.name, ns, name, name, name)
	}
	b.WriteString(`</EntityType>`)
}

func isKey(t *entityType, name string) bool {
	for _, k := range t.keys {
		if k == name {
			return true
		}
	}
	return false
}
