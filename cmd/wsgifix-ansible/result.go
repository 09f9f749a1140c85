package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"runtime/debug"
)

// result is the one JSON object the module prints; Ansible reads changed,
// failed, msg, diff and warnings itself, the rest is for `register`.
type result struct {
	Changed     bool        `json:"changed"`
	Failed      bool        `json:"failed"`
	Msg         string      `json:"msg"`
	Findings    []finding   `json:"findings"`
	Files       []string    `json:"files"`
	BackupFiles []string    `json:"backup_files"`
	Diff        []diffEntry `json:"diff,omitempty"`
	Warnings    []string    `json:"warnings,omitempty"`
	// Exception is the stack of a recovered panic; Ansible shows it with -vvv.
	Exception string `json:"exception,omitempty"`
}

// finding is fixes.Finding as the module reports it.
type finding struct {
	File     string `json:"file"`
	Line     int    `json:"line"`
	Col      int    `json:"col"`
	Pass     string `json:"pass"`
	Severity string `json:"severity"`
	Message  string `json:"message"`
	Fixed    bool   `json:"fixed"`
}

// diffEntry is one file's change in the shape Ansible's --diff prints.
type diffEntry struct {
	Before       string `json:"before"`
	After        string `json:"after"`
	BeforeHeader string `json:"before_header"`
	AfterHeader  string `json:"after_header"`
}

// failure is a result that changed nothing and says why.
func failure(format string, args ...any) result {
	return result{Failed: true, Msg: fmt.Sprintf(format, args...)}
}

// run is the module: args[1] names the arguments file. It returns the exit
// status (1 when failed, as Ansible's own modules do).
func run(args []string, stdout io.Writer) int {
	return runWith(args, stdout, execute)
}

// runWith reads the arguments, calls do and prints its result. Whatever
// happens, including a panic in do, exactly one JSON object is printed.
func runWith(args []string, stdout io.Writer, do func(moduleArgs) result) (code int) {
	var res result
	defer func() {
		if v := recover(); v != nil {
			res = failure("internal error: %v (nothing more was written)", v)
			res.Exception = string(debug.Stack())
		}
		code = emit(stdout, res)
	}()
	if len(args) != 2 {
		res = failure("usage: wsgifix ARGS_FILE: want one argument, the JSON arguments file Ansible writes, got %d", len(args)-1)
		return
	}
	data, err := os.ReadFile(args[1])
	if err != nil {
		res = failure("arguments file: %v", err)
		return
	}
	a, err := parseArgs(data)
	if err != nil {
		res = failure("%v", err)
		return
	}
	res = do(a)
	return
}

// emit prints res as one JSON object with empty lists as [] rather than null.
func emit(w io.Writer, res result) int {
	if res.Findings == nil {
		res.Findings = []finding{}
	}
	if res.Files == nil {
		res.Files = []string{}
	}
	if res.BackupFiles == nil {
		res.BackupFiles = []string{}
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false) // keep <VirtualHost> readable in diffs
	if err := enc.Encode(res); err != nil {
		msg, _ := json.Marshal("encode result: " + err.Error()) // a string always encodes
		fmt.Fprintf(w, "{\"failed\": true, \"msg\": %s}\n", msg)
		return 1
	}
	if res.Failed {
		return 1
	}
	return 0
}
