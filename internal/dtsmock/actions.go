package dtsmock

import (
	"net"
	"sort"
	"strings"
	"time"
)

// result is what an action handler produced.
type result struct {
	body    map[string]any
	list    *listing
	err     *apiError
	jobID   string
	mutated bool
}

func fail(ae *apiError) result { return result{err: ae} }

type handlerFunc func(s *Server, p params, now time.Time) result

var actions map[string]handlerFunc

func init() {
	actions = map[string]handlerFunc{
		"CreateMigrateJob":        (*Server).createMigrateJob,
		"ModifyMigrateJob":        (*Server).modifyMigrateJob,
		"CreateMigrateCheckJob":   (*Server).createMigrateCheckJob,
		"DescribeMigrateCheckJob": (*Server).describeMigrateCheckJob,
		"StartMigrateJob":         (*Server).startMigrateJob,
		"StopMigrateJob":          (*Server).stopMigrateJob,
		"CompleteMigrateJob":      (*Server).completeMigrateJob,
		"DeleteMigrateJob":        (*Server).deleteMigrateJob,
		"DescribeMigrateJobs":     (*Server).describeMigrateJobs,
	}
}

var (
	checkFailNet     = mustCIDR("192.0.2.0/24")
	migrationFailNet = mustCIDR("198.51.100.0/24")
)

func mustCIDR(s string) *net.IPNet {
	_, n, err := net.ParseCIDR(s)
	if err != nil {
		panic(err)
	}
	return n
}

func ipIn(ip string, n *net.IPNet) bool {
	parsed := net.ParseIP(ip)
	return parsed != nil && n.Contains(parsed)
}

func notAllowed(action string, j *jobState) *apiError {
	return newError("FailedOperation.NotAllowOperation", "%s is not allowed for job %s in status %d.", action, j.JobID, j.Status)
}

func jobNotExist(id string) *apiError {
	return newError("ResourceNotFound.JobNotExist", "The migration job %s does not exist.", id)
}

// findLocked returns the job named by the request's JobId, settled to now.
func (s *Server) findLocked(p params, now time.Time) (*jobState, *apiError) {
	id, ae := requiredString(p, "JobId", "JobId")
	if ae != nil {
		return nil, ae
	}
	j, ok := s.jobs[id]
	if !validJobID(id) || !ok {
		return nil, jobNotExist(id)
	}
	s.phases.settle(j, now)
	return j, nil
}

func statusIn(st int, allowed ...int) bool {
	for _, a := range allowed {
		if st == a {
			return true
		}
	}
	return false
}

// idleQuotaReachedLocked reports whether the idle jobs (status 1, 2, 4 or 5) fill the quota,
// so that no job can be created. It counts no further than the quota, and not at all while
// fewer jobs are stored than the quota allows idle ones: a create then costs the same with ten
// thousand jobs stored as with none.
func (s *Server) idleQuotaReachedLocked(now time.Time) bool {
	if len(s.jobs) < s.maxIdle {
		return false
	}
	n := 0
	for _, j := range s.jobs {
		if n >= s.maxIdle {
			return true
		}
		// Of the moves that time makes, only the end of a check (checking → check_pass or
		// check_not_pass) crosses the quota's line: creating → created stays idle, and no other
		// status moves into an idle one by itself. So only a checking job needs settling.
		if j.Status == StatusChecking {
			s.phases.settle(j, now)
		}
		if statusIn(j.Status, StatusCreating, StatusCreated, StatusCheckPass, StatusCheckNotPass) {
			n++
		}
	}
	return n >= s.maxIdle
}

func (s *Server) createMigrateJob(p params, now time.Time) result {
	j := &jobState{}
	var ae *apiError
	if j.JobName, ae = requiredString(p, "JobName", "JobName"); ae != nil {
		return fail(ae)
	}
	mo, ok := p.obj("MigrateOption")
	if !ok {
		return fail(missing("MigrateOption"))
	}
	for _, name := range []string{"SrcDatabaseType", "SrcAccessType", "DstDatabaseType", "DstAccessType"} {
		if _, ae := requiredString(p, name, name); ae != nil {
			return fail(ae)
		}
	}
	si, ok := p.obj("SrcInfo")
	if !ok {
		return fail(missing("SrcInfo"))
	}
	di, ok := p.obj("DstInfo")
	if !ok {
		return fail(missing("DstInfo"))
	}
	if ae := applyMigrateOption(j, mo); ae != nil {
		return fail(ae)
	}
	j.SrcDatabaseType, _ = p.str("SrcDatabaseType")
	j.DstDatabaseType, _ = p.str("DstDatabaseType")
	j.SrcAccessType, _ = p.str("SrcAccessType")
	j.DstAccessType, _ = p.str("DstAccessType")
	for _, f := range []struct{ name, val string }{{"SrcDatabaseType", j.SrcDatabaseType}, {"DstDatabaseType", j.DstDatabaseType}} {
		if !createDatabaseTypes[f.val] {
			return fail(invalid(f.name, "%q is not one of mysql, redis, mongodb.", f.val))
		}
	}
	if ae := applySrcInfo(j, si); ae != nil {
		return fail(ae)
	}
	if ae := applyDstInfo(j, di, false); ae != nil {
		return fail(ae)
	}
	j.DatabaseInfo, _ = p.str("DatabaseInfo")
	if _, ok := p.list("Tags"); ok {
		j.Tags = map[string]string{}
	}
	if ae := eachTagKey(p, "Tags", func(k string, tp params) *apiError {
		if _, dup := j.Tags[k]; dup {
			return invalid("Tags", "the tag key %q is given twice.", k)
		}
		j.Tags[k], _ = tp.str("TagValue")
		return nil
	}); ae != nil {
		return fail(ae)
	}
	if ae := validateConfig(j); ae != nil {
		return fail(ae)
	}
	if s.idleQuotaReachedLocked(now) {
		return fail(newError("LimitExceeded.MaxUnusedJobs", "The number of idle migration jobs has reached the limit of %d.", s.maxIdle))
	}
	j.JobID = s.newJobIDLocked()
	s.seq++
	j.Seq = s.seq
	j.CreateTime = now
	j.Status, j.Since, j.CheckFlag = StatusCreating, now, CheckFlagNotChecked
	s.jobs[j.JobID] = j
	return result{body: map[string]any{"JobId": j.JobID}, jobID: j.JobID, mutated: true}
}

// resetRun forgets the check and any previous migration run.
func resetRun(j *jobState) {
	j.live.abandon()
	j.live = nil
	j.CheckRan, j.CheckFail, j.CheckMessage, j.CheckFlag = false, false, "", CheckFlagNotChecked
	j.CheckStart = time.Time{}
	j.RunStart, j.RunFrozen, j.FailStep, j.Stopped = time.Time{}, time.Time{}, 0, false
	j.StartTime, j.EndTime = time.Time{}, time.Time{}
	j.ErrorInfo = nil
}

func (s *Server) modifyMigrateJob(p params, now time.Time) result {
	stored, ae := s.findLocked(p, now)
	if ae != nil {
		return fail(ae)
	}
	if !statusIn(stored.Status, StatusCreating, StatusCreated, StatusCheckPass, StatusCheckNotPass, StatusFailed) {
		return fail(notAllowed("ModifyMigrateJob", stored))
	}
	j := stored.clone()
	if p.has("JobName") {
		if j.JobName, ae = requiredString(p, "JobName", "JobName"); ae != nil {
			return fail(ae)
		}
	}
	if mo, ok := p.obj("MigrateOption"); ok {
		if ae := applyMigrateOption(j, mo); ae != nil {
			return fail(ae)
		}
	}
	if v, ok := p.str("SrcAccessType"); ok {
		j.SrcAccessType = v
	}
	if v, ok := p.str("DstAccessType"); ok {
		j.DstAccessType = v
	}
	if si, ok := p.obj("SrcInfo"); ok {
		if ae := applySrcInfo(j, si); ae != nil {
			return fail(ae)
		}
	}
	if di, ok := p.obj("DstInfo"); ok {
		if ae := applyDstInfo(j, di, true); ae != nil {
			return fail(ae)
		}
	}
	if v, ok := p.str("DatabaseInfo"); ok {
		j.DatabaseInfo = v
	}
	if ae := validateConfig(j); ae != nil {
		return fail(ae)
	}
	resetRun(j)
	j.Status, j.Since = StatusCreated, now
	s.jobs[j.JobID] = j
	return result{body: map[string]any{}, jobID: j.JobID, mutated: true}
}

func (s *Server) createMigrateCheckJob(p params, now time.Time) result {
	j, ae := s.findLocked(p, now)
	if ae != nil {
		return fail(ae)
	}
	if !statusIn(j.Status, StatusCreated, StatusCheckPass, StatusCheckNotPass, StatusFailed) {
		return fail(notAllowed("CreateMigrateCheckJob", j))
	}
	resetRun(j)
	switch {
	case s.startLiveCheckLocked(j):
	case len(s.failChecks) > 0:
		j.CheckFail, j.CheckMessage = true, s.failChecks[0]
		s.failChecks = s.failChecks[1:]
	case ipIn(j.SrcIP, checkFailNet):
		j.CheckFail = true
		j.CheckMessage = "Failed to connect to the source database " + j.SrcIP + ":" + itoa(j.SrcPort) +
			": the connection timed out. Check the address, the port, the account and the network access of the source instance."
	default:
		if db := missingDatabase(j.DatabaseInfo); db != "" {
			j.CheckFail = true
			j.CheckMessage = "The database table you selected does not exist, please re-select: table does not exist in the source instance (database " + db + ")."
		}
	}
	s.phases.enter(j, StatusChecking, now)
	return result{body: map[string]any{}, jobID: j.JobID, mutated: true}
}

// missingDatabase returns the first selected database whose name starts with "missing".
func missingDatabase(info string) string {
	if strings.TrimSpace(info) == "" {
		return ""
	}
	entries, ae := parseDatabaseInfo(info)
	if ae != nil {
		return ""
	}
	for _, e := range entries {
		if strings.HasPrefix(e.Database, "missing") {
			return e.Database
		}
	}
	return ""
}

func (s *Server) describeMigrateCheckJob(p params, now time.Time) result {
	j, ae := s.findLocked(p, now)
	if ae != nil {
		return fail(ae)
	}
	v := s.phases.check(j, now)
	return result{jobID: j.JobID, body: map[string]any{
		"Status": v.Status, "ErrorCode": v.ErrorCode, "ErrorMessage": v.ErrorMessage,
		"Progress": v.Progress, "CheckFlag": v.CheckFlag,
	}}
}

func (s *Server) startMigrateJob(p params, now time.Time) result {
	j, ae := s.findLocked(p, now)
	if ae != nil {
		return fail(ae)
	}
	if j.Status != StatusCheckPass {
		return fail(notAllowed("StartMigrateJob", j))
	}
	j.FailStep = 0
	if step, ok := s.failSteps[j.JobID]; ok {
		j.FailStep = step
		delete(s.failSteps, j.JobID)
	} else if step, ok := s.failSteps[""]; ok {
		j.FailStep = step
		delete(s.failSteps, "")
	} else if ipIn(j.SrcIP, migrationFailNet) {
		j.FailStep = 2
	}
	if j.FailStep != 0 {
		j.FailStep = clampStep(j.MigrateType, j.FailStep)
	}
	j.RunStart, j.RunFrozen, j.Stopped = time.Time{}, time.Time{}, false
	j.StartTime, j.EndTime, j.ErrorInfo = time.Time{}, time.Time{}, nil
	s.phases.enter(j, StatusReadyRun, now)
	s.startLiveMigrationLocked(j)
	return result{body: map[string]any{}, jobID: j.JobID, mutated: true}
}

func (s *Server) stopMigrateJob(p params, now time.Time) result {
	j, ae := s.findLocked(p, now)
	if ae != nil {
		return fail(ae)
	}
	if !statusIn(j.Status, StatusReadyRun, StatusRunning, StatusReadyComplete) {
		return fail(notAllowed("StopMigrateJob", j))
	}
	s.phases.enter(j, StatusStopping, now)
	s.stopLiveLocked(j)
	return result{body: map[string]any{}, jobID: j.JobID, mutated: true}
}

func (s *Server) completeMigrateJob(p params, now time.Time) result {
	mode, ok := p.str("CompleteMode")
	if ok && mode != "waitForSync" && mode != "immediately" {
		return fail(invalid("CompleteMode", "it must be waitForSync or immediately."))
	}
	j, ae := s.findLocked(p, now)
	if ae != nil {
		return fail(ae)
	}
	if j.Status != StatusReadyComplete {
		return fail(notAllowed("CompleteMigrateJob", j))
	}
	s.phases.enter(j, StatusCompleting, now)
	s.completeLiveLocked(j, mode)
	return result{body: map[string]any{}, jobID: j.JobID, mutated: true}
}

func (s *Server) deleteMigrateJob(p params, now time.Time) result {
	j, ae := s.findLocked(p, now)
	if ae != nil {
		return fail(ae)
	}
	if statusIn(j.Status, StatusChecking, StatusReadyRun, StatusRunning, StatusReadyComplete, StatusStopping, StatusCompleting) {
		return fail(notAllowed("DeleteMigrateJob", j))
	}
	delete(s.jobs, j.JobID)
	delete(s.failSteps, j.JobID)
	return result{body: map[string]any{}, jobID: j.JobID, mutated: true}
}

var orderKeys = map[string]bool{"JobId": true, "Status": true, "JobName": true, "MigrateType": true, "RunMode": true, "CreateTime": true}

type tagFilter struct {
	key    string
	values []string
}

func (s *Server) describeMigrateJobs(p params, now time.Time) result {
	order, ok := p.str("Order")
	if !ok || order == "" {
		order = "CreateTime"
	}
	if !orderKeys[order] {
		return fail(invalid("Order", "%q is not one of JobId, Status, JobName, MigrateType, RunMode, CreateTime.", order))
	}
	seq, ok := p.str("OrderSeq")
	if !ok || seq == "" {
		seq = "DESC"
	}
	if seq != "ASC" && seq != "DESC" {
		return fail(invalid("OrderSeq", "it must be ASC or DESC."))
	}
	offset, ae := intIn(p, "Offset", "Offset", 0, 1<<31-1, 0)
	if ae != nil {
		return fail(ae)
	}
	limit, ae := intIn(p, "Limit", "Limit", 1, 100, 20)
	if ae != nil {
		return fail(ae)
	}
	var filters []tagFilter
	if ae := eachTagKey(p, "TagFilters", func(k string, tp params) *apiError {
		f := tagFilter{key: k}
		vals, _ := tp.list("TagValue")
		for _, v := range vals {
			s, _ := v.(string) // The schema guarantees strings.
			f.values = append(f.values, s)
		}
		filters = append(filters, f)
		return nil
	}); ae != nil {
		return fail(ae)
	}
	id, _ := p.str("JobId")
	name, _ := p.str("JobName")
	list := s.orderedLocked(order, now)
	page := &listing{jobs: make([][]byte, 0, min(limit, len(list)))}
	add := func(j *jobState) *apiError {
		s.phases.settle(j, now)
		b, err := s.encodedLocked(j, now)
		if err != nil {
			s.logger.Printf("encoding job %s: %v", j.JobID, err)
			return newError("InternalError", "The job %s could not be encoded.", j.JobID)
		}
		page.jobs = append(page.jobs, b)
		return nil
	}
	// The list is ascending; DESC walks it backwards, which also reverses the tie-break by
	// creation, as the API notes ask.
	at := func(k int) *jobState {
		if seq == "DESC" {
			return list[len(list)-1-k]
		}
		return list[k]
	}
	if id == "" && name == "" && len(filters) == 0 {
		// Every job matches: the page is a slice of the list.
		for k := offset; k < len(list) && k-offset < limit; k++ {
			if ae := add(at(k)); ae != nil {
				return fail(ae)
			}
		}
		page.total = len(list)
		return result{list: page, jobID: id}
	}
	for k := range list {
		j := at(k)
		if (id != "" && j.JobID != id) || (name != "" && !strings.Contains(j.JobName, name)) || !matchTags(j, filters) {
			continue
		}
		if page.total >= offset && page.total-offset < limit {
			if ae := add(j); ae != nil {
				return fail(ae)
			}
		}
		page.total++
	}
	return result{list: page, jobID: id}
}

// orderedLocked returns every job sorted by order, ascending, ties broken by creation. The
// order by a key that only changes with a stored change is kept until the next change, so a
// listing costs one pass over the jobs instead of a sort; the order by Status, which moves
// with time, is sorted afresh.
func (s *Server) orderedLocked(order string, now time.Time) []*jobState {
	if c, ok := s.orders[order]; ok && c.gen == s.gen && order != "Status" {
		return c.list
	}
	list := make([]*jobState, 0, len(s.jobs))
	for _, j := range s.jobs {
		if order == "Status" {
			s.phases.settle(j, now)
		}
		list = append(list, j)
	}
	sort.Slice(list, func(a, b int) bool {
		x, y := list[a], list[b]
		if c := compareJobs(order, x, y); c != 0 {
			return c < 0
		}
		return x.Seq < y.Seq
	})
	if order != "Status" {
		s.orders[order] = orderCache{gen: s.gen, list: list}
	}
	return list
}

func matchTags(j *jobState, filters []tagFilter) bool {
	for _, f := range filters {
		v, ok := j.Tags[f.key]
		if !ok {
			return false
		}
		if len(f.values) == 0 {
			continue
		}
		found := false
		for _, want := range f.values {
			found = found || want == v
		}
		if !found {
			return false
		}
	}
	return true
}

func cmpInt[T int | int64](a, b T) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func compareJobs(order string, x, y *jobState) int {
	switch order {
	case "JobId":
		return strings.Compare(x.JobID, y.JobID)
	case "Status":
		return cmpInt(x.Status, y.Status)
	case "JobName":
		return strings.Compare(x.JobName, y.JobName)
	case "MigrateType":
		return cmpInt(x.MigrateType, y.MigrateType)
	case "RunMode":
		return cmpInt(x.RunMode, y.RunMode)
	}
	return x.CreateTime.Compare(y.CreateTime)
}

// orderCache is the jobs sorted by one key, valid while the Server's gen is unchanged.
type orderCache struct {
	gen  uint64
	list []*jobState
}
