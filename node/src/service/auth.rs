//! Who may call what: every operator RPC passes through [`Gate`], which reads
//! the caller's identity from its verified client certificate. A unit under
//! a standing disconnection order (Art.25(4)) is refused here, on every
//! call its certificate makes — by gRPC or through the web console, which
//! calls the same services — except the few of the `Orders` service that
//! let it read its orders and report its rectification
//! ([`Gate::member_under_order`]).

use extranet_certs::transport::TlsConnectInfo;
use extranet_certs::{Identity, NodeId, Role, TlsMaterial};
use tonic::Request;

use crate::domain::UnitId;
use crate::error::{NodeError, Result};
use crate::store::NodeStore;

/// Who called, once [`Gate::member`] has checked they belong to this node.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum Caller {
    /// An operator of this node, by login name.
    Operator(String),
    /// An access unit registered at this node, by unit id.
    Unit(UnitId),
}

impl Caller {
    /// The member a certificate's role names: an operator, or a unit (if
    /// its id is well-formed); `None` for a node certificate.
    pub fn of_role(role: &Role) -> Option<Result<Caller>> {
        match role {
            Role::Operator(name) => Some(Ok(Caller::Operator(name.clone()))),
            Role::Unit(unit) => Some(UnitId::parse(unit).map(Caller::Unit).map_err(NodeError::from)),
            Role::Node => None,
        }
    }

    /// The unit a call is for, named in `field` as `requested`: a unit acts
    /// for itself only (empty = itself); an operator acting for a unit
    /// must name it.
    pub fn unit_for(&self, field: &'static str, requested: &str) -> Result<UnitId> {
        match (self, requested.trim()) {
            (Caller::Unit(own), "") => Ok(own.clone()),
            (Caller::Unit(own), other) if other != own.as_str() => {
                Err(NodeError::PermissionDenied(format!("接入单位 {own} 只能以本单位名义提交或查询")))
            }
            (Caller::Operator(_), "") => {
                Err(NodeError::invalid(field, "操作员代为办理时须指明接入单位编号，例如 u0001"))
            }
            (_, id) => {
                UnitId::parse(id).map_err(|_| NodeError::invalid(field, format!("“{id}” 不是接入单位编号，例如 u0001")))
            }
        }
    }

    /// How the caller is recorded on what it did, e.g. `operator` or `unit:u0001`.
    pub fn label(&self) -> String {
        match self {
            Caller::Operator(n) => n.clone(),
            Caller::Unit(u) => format!("unit:{u}"),
        }
    }
}

/// The authorisation check of one node.
#[derive(Clone)]
pub struct Gate {
    me: NodeId,
    tls: TlsMaterial,
    orders: Option<NodeStore>,
}

impl Gate {
    /// A gate for node `me`, checking revocation against `tls`'s CRLs.
    pub fn new(me: NodeId, tls: TlsMaterial) -> Self {
        Gate { me, tls, orders: None }
    }

    /// The same gate, refusing units disconnected by a standing order in
    /// `store` (a served node's gates all do; tools' need not).
    pub fn with_orders(mut self, store: NodeStore) -> Self {
        self.orders = Some(store);
        self
    }

    /// Refuses a unit disconnected by a standing order, naming the order.
    fn refuse_disconnected(&self, caller: &Caller) -> Result<()> {
        let (Caller::Unit(unit), Some(store)) = (caller, &self.orders) else { return Ok(()) };
        let Some(d) = store.disconnection(&unit.to_string())? else { return Ok(()) };
        Err(NodeError::PermissionDenied(format!(
            "接入单位 {unit} 已依中断连接通知 {} 中断连接（第二十五条第（四）项），整改期限 {}：\
             整改完成并经核验恢复连接前，本节点拒绝该单位证书的请求（仅可查看本单位的通知、报送整改情况）",
            d.order, d.due
        )))
    }

    /// The caller's verified identity, refusing revoked certificates.
    pub fn caller<T>(&self, req: &Request<T>) -> Result<Identity> {
        Ok(self.certificate(req)?.0)
    }

    /// The caller's verified identity and its certificate's serial (if the
    /// transport gave one), refusing revoked certificates.
    pub fn certificate<T>(&self, req: &Request<T>) -> Result<(Identity, Option<String>)> {
        let info = req
            .extensions()
            .get::<TlsConnectInfo>()
            .ok_or_else(|| NodeError::PermissionDenied("请求未携带经验证的客户端证书".into()))?;
        let id = info.peer.clone().ok_or_else(|| NodeError::PermissionDenied("客户端证书不含本联邦的身份".into()))?;
        if info.peer_serial.as_deref().is_some_and(|s| self.tls.is_revoked(s)) {
            return Err(NodeError::PermissionDenied(format!("{id} 的证书已被吊销")));
        }
        Ok((id, info.peer_serial.clone()))
    }

    /// Requires an operator or an access unit of this very node, refusing a
    /// unit disconnected by a standing order.
    pub fn member<T>(&self, req: &Request<T>) -> Result<Caller> {
        let caller = self.member_under_order(req)?;
        self.refuse_disconnected(&caller)?;
        Ok(caller)
    }

    /// [`Gate::member`], but admitting a disconnected unit: only for the
    /// `Orders` calls that let it see its own orders and report its
    /// rectification, which it must be able to do while cut off.
    pub fn member_under_order<T>(&self, req: &Request<T>) -> Result<Caller> {
        let id = self.caller(req)?;
        match Caller::of_role(&id.role) {
            Some(caller) if id.node == self.me => caller,
            _ => Err(NodeError::PermissionDenied(format!(
                "{id} 无权访问节点 {}：只有本节点的操作员或接入单位证书可以调用此接口",
                self.me
            ))),
        }
    }

    /// Requires an operator of this very node; returns the operator's name.
    pub fn operator<T>(&self, req: &Request<T>) -> Result<String> {
        let id = self.caller(req)?;
        match &id.role {
            Role::Operator(name) if id.node == self.me => Ok(name.clone()),
            _ => Err(NodeError::PermissionDenied(format!(
                "{id} 无权操作节点 {}：只有本节点的操作员证书可以调用此接口",
                self.me
            ))),
        }
    }

    /// [`Gate::member`], then the message: how an RPC open to members
    /// starts.
    pub fn member_request<T>(&self, req: Request<T>) -> Result<(Caller, T)> {
        let caller = self.member(&req)?;
        Ok((caller, req.into_inner()))
    }

    /// [`Gate::operator`], then the message: how an operator RPC starts.
    pub fn operator_request<T>(&self, req: Request<T>) -> Result<(String, T)> {
        let by = self.operator(&req)?;
        Ok((by, req.into_inner()))
    }
}
