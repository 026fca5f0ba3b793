package netsuite

import (
	"strconv"
	"strings"
)

// externalID turns an erpsync reference such as "demo:1001" into a
// NetSuite external id, which may hold only letters, digits, '_' and '-'.
// Other bytes, and '_' itself, become "_" and two upper-case hex digits,
// so that two references never share an external id: "demo_3A1001".
func externalID(ref string) string {
	var b strings.Builder
	for i := 0; i < len(ref); i++ {
		c := ref[i]
		if (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
			c == '-' {
			b.WriteByte(c)
			continue
		}
		b.WriteString("_" + strings.ToUpper(hex2(c)))
	}
	return b.String()
}

// referenceOf reverses externalID. An external id that another system set
// and that does not decode is returned as it is.
func referenceOf(eid string) string {
	var b strings.Builder
	for i := 0; i < len(eid); i++ {
		if eid[i] != '_' {
			b.WriteByte(eid[i])
			continue
		}
		if i+2 >= len(eid) {
			return eid
		}
		v, err := strconv.ParseUint(eid[i+1:i+3], 16, 8)
		if err != nil {
			return eid
		}
		b.WriteByte(byte(v))
		i += 2
	}
	return b.String()
}

func hex2(c byte) string {
	s := strconv.FormatUint(uint64(c), 16)
	if len(s) == 1 {
		s = "0" + s
	}
	return s
}
