//! The `Calendar` service: show the calendar in force, publish a new version
//! at the region (it then travels down to every node) or a prefecture's
//! local calendar (down its subtree), compute a due date.

use extranet_certs::NodeId;
use extranet_proto::v1 as pb;
use extranet_proto::v1::calendar_server::Calendar;
use tonic::{Request, Response, Status};

use super::auth::Gate;
use crate::calendar::CalendarTable;
use crate::codec::{self, date};
use crate::error::{NodeError, Result};
use crate::ops;
use crate::store::NodeStore;

/// Most working days `DueDate` adds (a year and a half of working days).
const MAX_DUE_DAYS: u32 = 400;

/// Serves `extranet.v1.Calendar` for one node.
pub struct CalendarService {
    store: NodeStore,
    gate: Gate,
}

impl CalendarService {
    /// The service over `store`, authorising through `gate`.
    pub fn new(store: NodeStore, gate: Gate) -> Self {
        CalendarService { store, gate }
    }
}

#[tonic::async_trait]
impl Calendar for CalendarService {
    async fn get_calendar(
        &self,
        req: Request<pb::GetCalendarRequest>,
    ) -> Result<Response<pb::CalendarDocument>, Status> {
        self.gate.member(&req)?;
        let year = match req.into_inner().year {
            0 => None,
            y => Some(y),
        };
        let local = self.store.local_calendar_for(self.store.me())?;
        Ok(Response::new(codec::shown_calendar_to_pb(&self.store.calendar_document()?, local.as_ref(), year)))
    }

    async fn publish_calendar(
        &self,
        req: Request<pb::PublishCalendarRequest>,
    ) -> Result<Response<pb::CalendarDocument>, Status> {
        super::idempotent::operator_write(&self.gate, &self.store, "PublishCalendar", req, |by, r| async move {
            let table = CalendarTable::parse(&r.tsv)?;
            Ok(codec::calendar_to_pb(&ops::calendar::publish(&self.store, &table, &by).await?, None))
        })
        .await
    }

    async fn publish_local_calendar(
        &self,
        req: Request<pb::PublishLocalCalendarRequest>,
    ) -> Result<Response<pb::LocalCalendarDocument>, Status> {
        super::idempotent::operator_write(&self.gate, &self.store, "PublishLocalCalendar", req, |by, r| async move {
            let subtree = subtree(self.store.me(), &r.subtree)?;
            let table = CalendarTable::parse_local(&r.tsv)?;
            let local = ops::calendar::publish_local(&self.store, &subtree, &table, &by).await?;
            Ok(codec::local_calendar_to_pb(&local))
        })
        .await
    }

    async fn due_date(&self, req: Request<pb::DueDateRequest>) -> Result<Response<pb::DueDateResponse>, Status> {
        let (_, r) = self.gate.member_request(req)?;
        let from = date("from", &r.from)?;
        if r.working_days > MAX_DUE_DAYS {
            return Err(NodeError::invalid("working_days", format!("不能超过 {MAX_DUE_DAYS}")).into());
        }
        let cal = self.store.calendar()?;
        let due = cal.add_working_days(from, r.working_days);
        Ok(Response::new(pb::DueDateResponse {
            due: due.to_string(),
            calendar_version: cal.version(),
            covered: cal.covers(from, due),
            local_by: codec::local_by(&cal.local().cloned()),
            local_version: codec::local_version(&cal.local().cloned()),
            local_affected: cal.local_day_between(from, due),
        }))
    }
}

/// The subtree a local calendar is published for: empty means this node;
/// a path or a bare division code names one.
fn subtree(me: &NodeId, named: &str) -> Result<NodeId> {
    match named.trim() {
        "" => Ok(me.clone()),
        s if s == me.code() => Ok(me.clone()),
        s => NodeId::parse(s).map_err(|e| NodeError::invalid("subtree", format!("“{s}” 不是节点路径：{e}"))),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use chrono::NaiveDate;
    use extranet_certs::NodeId;

    use super::*;
    use crate::domain::ApplicationKind;
    use crate::domain::testing::sample;
    use crate::replicate::DomainApplier;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    /// From 1 November 2026 the region warns that 2027 is missing; an
    /// application submitted 2026-12-24 has provisional deadlines; once the
    /// region publishes 2027 the warning is gone and a read of the stored
    /// application gives the recomputed, final dates.
    #[tokio::test]
    async fn publishing_next_year_ends_the_warning_and_recomputes_provisional_deadlines() {
        let dir = tempfile::tempdir().unwrap();
        let region = NodeId::parse("540000").unwrap();
        let store = NodeStore::open(dir.path(), region.clone(), Arc::new(DomainApplier::without_pki())).unwrap();
        assert_eq!(store.calendar_warning(d("2026-10-31")).unwrap(), None);
        let warning = store.calendar_warning(d("2026-11-01")).unwrap().expect("warned from 1 November");
        assert!(warning.starts_with("2027 年节假日安排尚未发布"), "{warning}");
        let mut app = sample(ApplicationKind::New, d("2026-12-24"));
        app.routing.competent = region.clone();
        store.transact(|tx| tx.put_application(&app)).unwrap();
        let read = |store: &NodeStore| {
            let apps = crate::ops::access::current(store, store.applications().unwrap()).unwrap();
            apps[0].deadlines.review.clone()
        };
        let before = read(&store);
        assert_eq!((before.due, before.provisional, before.calendar_version), (d("2027-01-07"), true, 0));

        let table = CalendarTable::parse("# 国办发明电〔2026〕测试\n2027-01-01\toff\t元旦\n").unwrap();
        crate::ops::calendar::publish(&store, &table, "op").await.unwrap();
        assert_eq!(store.calendar_warning(d("2026-11-01")).unwrap(), None);
        let after = read(&store);
        assert_eq!((after.due, after.provisional, after.calendar_version), (d("2027-01-08"), false, 1));
        store.close();
    }
}
