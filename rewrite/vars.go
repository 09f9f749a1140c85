package rewrite

import "strings"

// expandVars replaces ${NAME} as httpd's ap_resolve_env does: from the
// variables set by Define, then the environment. An unknown variable is
// left as written and its name returned, so the caller can report it.
func expandVars(s string, defines map[string]string, lookupEnv func(string) (string, bool)) (out string, unknown []string) {
	if !strings.Contains(s, "${") {
		return s, nil
	}
	var sb strings.Builder
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			break
		}
		j := strings.IndexByte(s[i+2:], '}')
		if j < 0 {
			break
		}
		name := s[i+2 : i+2+j]
		sb.WriteString(s[:i])
		if v, ok := defines[name]; ok {
			sb.WriteString(v)
		} else if v, ok := lookupEnv(name); ok {
			sb.WriteString(v)
		} else {
			sb.WriteString(s[i : i+3+j])
			unknown = append(unknown, name)
		}
		s = s[i+3+j:]
	}
	sb.WriteString(s)
	return sb.String(), unknown
}
