package server

import (
	"context"

	"creditwater/apperr"
	"creditwater/models"
)

// DemoStaff are the staff accounts seeded in development (never in
// production). The README lists them.
var DemoStaff = []struct {
	Username, Password, Name string
	Role                     models.Role
}{
	{"admin", "demo-admin-pass", "演示管理员", models.RoleAdmin},
	{"staff", "demo-staff-pass", "演示工作人员", models.RoleStaff},
	{"officer", "demo-officer-pass", "演示信用专员", models.RoleCreditOfficer},
}

func (s *Server) seedDemo(ctx context.Context) error {
	for _, d := range DemoStaff {
		if _, err := s.auth.CreateStaff(ctx, d.Username, d.Password, d.Name, d.Role); err != nil && !apperr.Is(err, apperr.Conflict) {
			return err
		}
	}
	return nil
}
