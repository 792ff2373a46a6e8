// Command creditwater is the backend of the city water utility's "credit +
// water service" (信用+供水服务) scheme: a GraphQL API for the WeChat
// mini-program and the staff dashboards.
//
// Usage:
//
//	creditwater [serve]                 run the server (default)
//	creditwater migrate                 apply database migrations
//	creditwater import --kind bills [--encoding auto|utf-8|gbk] FILE   billing-system CSV (R1.1)
//	creditwater wechat menu push [-file config/menu.json]
//	creditwater user create -username U -role ROLE [-name N]   (password from CW_NEW_PASSWORD or stdin)
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"

	_ "time/tzdata" // Asia/Shanghai on a bare machine

	"github.com/schollz/progressbar/v3"

	"creditwater/billing"
	"creditwater/config"
	"creditwater/models"
	"creditwater/server"
	"creditwater/store"
)

func main() {
	if err := run(os.Args[1:], os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "creditwater:", err)
		if errors.Is(err, errRowsRefused) {
			os.Exit(3)
		}
		os.Exit(1)
	}
}

func run(args []string, stdin io.Reader, stdout io.Writer) error {
	cfg, err := config.FromOS()
	if err != nil {
		return err
	}
	logger := newLogger(cfg.LogLevel)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	cmd := "serve"
	if len(args) > 0 {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "serve":
		logger.Info("configuration", "config", cfg.String())
		s, err := server.New(ctx, cfg, logger)
		if err != nil {
			return err
		}
		defer s.Close()
		return s.Run(ctx)
	case "migrate":
		db, err := store.OpenDB(ctx, store.DBConfig{URL: cfg.DatabaseURL, DataDir: cfg.DataDir, MaxOpen: 2, MaxIdle: 1})
		if err != nil {
			return err
		}
		if err := store.Migrate(db); err != nil {
			return err
		}
		fmt.Fprintln(stdout, "数据库迁移已完成")
		return nil
	case "user":
		return userCmd(ctx, cfg, logger, args, stdin, stdout)
	case "import":
		return importCmd(ctx, cfg, logger, args, stdout)
	case "wechat":
		return wechatCmd(ctx, cfg, logger, args, stdout)
	default:
		return fmt.Errorf("未知命令 %q（可用：serve、migrate、import、user create 或 wechat menu push）", cmd)
	}
}

func userCmd(ctx context.Context, cfg config.Config, logger *slog.Logger, args []string, stdin io.Reader, stdout io.Writer) error {
	if len(args) == 0 || args[0] != "create" {
		return fmt.Errorf("用法：creditwater user create -username U -role STAFF|CREDIT_OFFICER|ADMIN [-name N]")
	}
	fs := flag.NewFlagSet("user create", flag.ContinueOnError)
	username := fs.String("username", "", "登录名")
	role := fs.String("role", "STAFF", "STAFF、CREDIT_OFFICER 或 ADMIN")
	name := fs.String("name", "", "显示名称")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	password := os.Getenv("CW_NEW_PASSWORD")
	if password == "" {
		fmt.Fprint(stdout, "password: ")
		line, err := bufio.NewReader(stdin).ReadString('\n')
		if err != nil && line == "" {
			return fmt.Errorf("未提供密码（请设置 CW_NEW_PASSWORD 或手动输入）")
		}
		password = strings.TrimRight(line, "\r\n")
	}
	cfg.DemoData = false
	s, err := server.New(ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer s.Close()
	u, err := s.Auth().CreateStaff(ctx, *username, password, *name, models.Role(strings.ToUpper(*role)))
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "created %s user %s (%s)\n", u.Role, *u.Username, u.ID)
	return nil
}

// errRowsRefused makes the import command exit with status 3 when some
// rows were refused (the good ones are in).
var errRowsRefused = errors.New("部分行被拒绝（见上文）")

// importCmd imports a billing-system file with a progress bar (R1.1).
func importCmd(ctx context.Context, cfg config.Config, logger *slog.Logger, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	kindName := fs.String("kind", "", "accounts、usage、bills、payments 或 reminders")
	encoding := fs.String("encoding", "auto", "auto、utf-8 或 gbk")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("用法：creditwater import --kind bills [--encoding auto] FILE")
	}
	kind, err := billing.ParseKind(*kindName)
	if err != nil {
		return err
	}
	f, err := os.Open(fs.Arg(0))
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	cfg.DemoData, cfg.JobsEnabled = false, false
	s, err := server.New(ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer s.Close()
	bar := progressbar.DefaultBytes(st.Size(), "importing "+st.Name())
	job, rowErrs, err := s.Importer().Import(ctx, kind, io.TeeReader(f, bar), billing.Meta{FileName: st.Name(), Encoding: *encoding, StartedBy: "cli"})
	_ = bar.Finish()
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "job %s %s: %d rows, %d inserted, %d updated, %d unchanged, %d refused (encoding %s)\n",
		job.ID, job.Status, job.Rows, job.Inserted, job.Updated, job.Unchanged, job.Failed, job.Encoding)
	for i, e := range rowErrs {
		if i == 20 {
			fmt.Fprintf(stdout, "… 另有 %d 条（可用 importJob(id) 查看）\n", len(rowErrs)-20)
			break
		}
		fmt.Fprintf(stdout, "line %d, column %s: %s\n", e.Line, e.Column, e.Reason)
	}
	if job.Failed > 0 {
		return errRowsRefused
	}
	return nil
}

// wechatCmd pushes the official account's menu (R6.4).
func wechatCmd(ctx context.Context, cfg config.Config, logger *slog.Logger, args []string, stdout io.Writer) error {
	if len(args) < 2 || args[0] != "menu" || args[1] != "push" {
		return fmt.Errorf("用法：creditwater wechat menu push [-file config/menu.json]")
	}
	fs := flag.NewFlagSet("wechat menu push", flag.ContinueOnError)
	file := fs.String("file", cfg.OAMenuFile, "菜单文件（默认：内置的 config/menu.json）")
	if err := fs.Parse(args[2:]); err != nil {
		return err
	}
	cfg.OAMenuFile, cfg.DemoData = *file, false
	if cfg.OAToken == "" {
		cfg.OAToken = "menu-push" // the callback token is not needed to push a menu
	}
	s, err := server.New(ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer s.Close()
	menu, err := s.Menu()
	if err != nil {
		return err
	}
	if err := s.OfficialAccount().PushMenu(ctx, menu); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "菜单已推送：%d 个按钮\n", len(menu.Buttons))
	return nil
}

func newLogger(level string) *slog.Logger {
	var l slog.Level
	_ = l.UnmarshalText([]byte(level))
	return slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: l}))
}
