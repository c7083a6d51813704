package main

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// Ids of the benchmark's school.
const (
	guildID       = "950000000000000001"
	studentRoleID = "950000000000000013"
	studentBase   = 810000000000000000 // student i has user id studentBase+i
)

// sizes is how much data a benchmark database holds.
type sizes struct {
	enterprises, positions, students, applications int
}

// vocabulary the generated positions and profiles draw on, so filters match realistic shares.
const vocabulary = `
	skills   text[] := ARRAY['cnc','cad','plc','welding','electrical','hvac','carpentry','plumbing','food safety','baking',
	                         'knife skills','customer service','accounting','excel','python','java','networking','linux','sql','photoshop',
	                         'video editing','nursing','first aid','childcare','logistics','forklift','warehouse','sales','marketing','english',
	                         'japanese','driving','painting','masonry','surveying','3d printing','robotics','solidworks','autocad','teamwork'];
	programs text[] := ARRAY['mechatronics','mechanical engineering','culinary arts','hospitality','accounting','software','networking',
	                         'nursing','early childhood','logistics','construction','design'];
	cities   text[] := ARRAY['suzhou','hangzhou','shanghai','nanjing','wuxi','ningbo','hefei','wuhan','changsha','chengdu',
	                         'xian','qingdao','jinan','tianjin','beijing','shenzhen','guangzhou','xiamen','fuzhou','kunming'];
	titles   text[] := ARRAY['CNC machining intern','Robot maintenance assistant','Kitchen operations trainee','Front desk intern',
	                         'Junior accountant','Software developer intern','Network technician','Nursing assistant','Kindergarten aide',
	                         'Warehouse coordinator','Site assistant','Graphic design intern','Electrician apprentice','Welder trainee',
	                         'HVAC technician intern','Pastry cook trainee','Sales assistant','Marketing intern','Data entry clerk',
	                         'Logistics planner intern','Carpentry apprentice','Plumbing apprentice','Surveying assistant','QA inspector',
	                         'Production line operator','Customer service trainee','IT support intern','Video editor intern',
	                         'Hotel housekeeping trainee','Driver assistant',
	                         '厨房帮工','电工学徒','数控车床操作工','前台接待实习生','仓库管理员','会计助理','护理员','幼儿园保育员',
	                         '网络技术员','电商客服专员'];
	places   text[] := ARRAY['苏州工业园区','杭州钱塘区','上海浦东新区','南京江宁区','无锡新吴区','宁波北仑区','合肥高新区',
	                         '武汉东湖高新区','长沙雨花区','成都高新区'];
	duties   text[] := ARRAY['协助师傅完成日常工作','负责设备点检与保养','参与生产线质量检验','整理库存并录入系统',
	                         '接待客户并处理订单','学习安全操作规程'];`

// seed fills an empty, migrated database with one guild's data, in bulk.
func seed(ctx context.Context, pool *pgxpool.Pool, sz sizes) (time.Duration, error) {
	start := time.Now()
	script := fmt.Sprintf(`DO $$
DECLARE %s
BEGIN
	INSERT INTO guilds (guild_id, student_role_id, open_application_cap) VALUES ('%[2]s', '%[3]s', 100);

	INSERT INTO enterprises (guild_id, id, name, industry, city, staff_size, status)
	OVERRIDING SYSTEM VALUE
	SELECT '%[2]s', i, 'Enterprise ' || i, 'Industry ' || (i %% 15), cities[1 + i %% 20], 50 + (i * 37) %% 2000, 'verified'
	FROM generate_series(1, %[4]d) i;
	PERFORM setval(pg_get_serial_sequence('enterprises', 'id'), %[4]d);

	INSERT INTO enterprise_mentors (guild_id, enterprise_id, user_id, linked_by)
	SELECT '%[2]s', i, (820000000000000000 + i)::text, 'seed' FROM generate_series(1, %[4]d) i;

	INSERT INTO positions (guild_id, id, enterprise_id, title, description, skills, programs, location, remote, slots,
	                       start_date, end_date, deadline, stipend, status, created_by)
	OVERRIDING SYSTEM VALUE
	SELECT '%[2]s', i, 1 + i %% %[4]d, titles[1 + i %% 40],
	       'Work as ' || titles[1 + i %% 40] || ' in ' || cities[1 + (i / 7) %% 20] || ' using ' || skills[1 + i %% 40] || ' and ' || skills[1 + (i * 7) %% 40] || '.' ||
	       -- a quarter of the descriptions are in Chinese too, as a school's mentors write them
	       CASE WHEN i %% 4 = 0 THEN '岗位职责：' || duties[1 + (i / 4) %% 6] || '，使用' || skills[1 + i %% 40] || '。' ELSE '' END,
	       ARRAY[skills[1 + i %% 40], skills[1 + (i * 7 + 3) %% 40], skills[1 + (i * 13 + 5) %% 40]],
	       ARRAY[programs[1 + i %% 12]],
	       CASE WHEN i %% 5 = 0 THEN places[1 + (i / 7) %% 10] ELSE cities[1 + (i / 7) %% 20] END, i %% 10 = 0, 1 + i %% 5,
	       current_date + 60, current_date + 150, current_date + 20 + i %% 30, '',
	       CASE WHEN i %% 10 = 9 THEN 'closed' ELSE 'open' END, 'seed'
	FROM generate_series(1, %[5]d) i;
	PERFORM setval(pg_get_serial_sequence('positions', 'id'), %[5]d);

	INSERT INTO profiles (guild_id, user_id, program, cohort, skills, locations)
	SELECT '%[2]s', (%[7]d + i)::text, programs[1 + i %% 12], (2023 + i %% 3)::text,
	       ARRAY[skills[1 + i %% 40], skills[1 + (i * 3 + 1) %% 40], skills[1 + (i * 11 + 2) %% 40]], ARRAY[cities[1 + i %% 20]]
	FROM generate_series(0, %[6]d - 1) i;

	-- Students have used the bot before: their language is known.
	INSERT INTO members (guild_id, user_id, locale)
	SELECT '%[2]s', (%[7]d + i)::text, 'en-US' FROM generate_series(0, %[6]d - 1) i;

	-- Student s applies to positions (s*13 + j*9973) mod P + 1 for j = 0.., all distinct per student;
	-- the first few are open, the rest final, so students stay under the cap.
	INSERT INTO applications (guild_id, position_id, student_id, status, motivation)
	SELECT '%[2]s', ((s * 13 + j * 9973) %% %[5]d) + 1, (%[7]d + s)::text,
	       CASE WHEN j < 4 THEN 'submitted' ELSE 'withdrawn' END, 'Seeded motivation for benchmarking purposes.'
	FROM generate_series(0, %[8]d - 1) i, LATERAL (SELECT i %% %[6]d AS s, i / %[6]d AS j) x;
END $$`, vocabulary, guildID, studentRoleID, sz.enterprises, sz.positions, sz.students, studentBase, sz.applications)
	if _, err := pool.Exec(ctx, script); err != nil {
		return 0, fmt.Errorf("seed: %w", err)
	}
	// Vacuum now so autovacuum does not start on the fresh tables in the middle of a measurement.
	if _, err := pool.Exec(ctx, "VACUUM (ANALYZE)"); err != nil {
		return 0, fmt.Errorf("vacuum: %w", err)
	}
	return time.Since(start), nil
}
