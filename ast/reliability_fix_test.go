package ast

import (
	"strings"
	"testing"
)

// A last line without a line ending that ends in a backslash is read
// literally by httpd (a continuation needs the newline). When an edit puts
// a line after it, a bare newline would turn that backslash into a
// continuation and swallow the new line; a blank before the newline keeps
// both lines what they were. Likewise a last line that ends in a
// continuation (backslash-newline, joining nothing at the end of the file)
// would swallow the line put after it; an empty line goes between. Found
// by fixes.FuzzPipeline and the random-bytes case of the hostile inputs.

func TestLineEndingAddedAfterBackslashIsNoContinuation(t *testing.T) {
	cases := []struct {
		name, src, want string
		edit            func(f *File)
	}{
		{
			// section-tags closes the vhost after its last line.
			name: "close-before",
			src:  "<VirtualHost *:80>\nServerName foo\\",
			want: "<VirtualHost *:80>\nServerName foo\\ \n</VirtualHost>",
			edit: func(f *File) { firstSection(f, "VirtualHost").CloseBefore(1) },
		},
		{
			// Any node appended after the old last line.
			name: "insert-after",
			src:  "# note\\",
			want: "# note\\ \nListen 80\n",
			edit: func(f *File) { f.Root.Append(NewDirective("Listen", "80")) },
		},
		{
			name: "insert-after-crlf",
			src:  "Listen 80\r\nServerName foo\\",
			want: "Listen 80\r\nServerName foo\\ \r\nListen 81\r\n",
			edit: func(f *File) { f.Root.Append(NewDirective("Listen", "81")) },
		},
		{
			// The last line ends in a continuation that joined nothing: an
			// empty line for it to join comes first.
			name: "close-before-after-continuation",
			src:  "<VirtualHost *:80>\nServerName foo \\\n",
			want: "<VirtualHost *:80>\nServerName foo \\\n\n</VirtualHost>\n",
			edit: func(f *File) { firstSection(f, "VirtualHost").CloseBefore(1) },
		},
		{
			// A comment's continuation would swallow the new line.
			name: "insert-after-comment-continuation",
			src:  "# note \\\n",
			want: "# note \\\n\nListen 80\n",
			edit: func(f *File) { f.Root.Append(NewDirective("Listen", "80")) },
		},
		{
			name: "insert-after-continuation-crlf",
			src:  "Listen 80\r\nServerName foo \\\r\n",
			want: "Listen 80\r\nServerName foo \\\r\n\r\nListen 81\r\n",
			edit: func(f *File) { f.Root.Append(NewDirective("Listen", "81")) },
		},
		{
			// No backslash: only the line ending is added, as before.
			name: "plain-last-line",
			src:  "ServerName foo",
			want: "ServerName foo\nListen 80\n",
			edit: func(f *File) { f.Root.Append(NewDirective("Listen", "80")) },
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := mustParse(t, c.src)
			c.edit(f)
			expect(t, f, c.want)
			// The printed text means what the tree says: the lines after the
			// old last line are still their own nodes.
			again := mustParse(t, string(Print(f)))
			if got, want := len(again.Root.Body), len(f.Root.Body); got != want {
				t.Errorf("reparsed top level has %d nodes, want %d", got, want)
			}
			if strings.Contains(c.name, "close") && len(CheckStructure(again)) != 0 {
				t.Errorf("reparsed output has structural problems: %v", CheckStructure(again))
			}
		})
	}
}
