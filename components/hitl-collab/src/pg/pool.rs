//! A small connection pool: idle clients are reused, a broken one is dropped, a new one is opened on demand.

use std::ops::{Deref, DerefMut};

use parking_lot::Mutex;
use postgres::{Client, Config, NoTls};

use crate::error::HitlError;

/// The most idle connections kept open per queue handle.
const MAX_IDLE: usize = 16;

/// Opens and keeps connections to one database.
pub(crate) struct Pool {
    config: Config,
    idle: Mutex<Vec<Client>>,
}

impl Pool {
    pub(crate) fn new(config: Config) -> Self {
        Self {
            config,
            idle: Mutex::new(Vec::new()),
        }
    }

    /// An idle connection, or a new one.
    pub(crate) fn get(&self) -> Result<Conn<'_>, HitlError> {
        let reused = {
            let mut idle = self.idle.lock();
            std::iter::from_fn(|| idle.pop()).find(|c| !c.is_closed())
        };
        let client = match reused {
            Some(client) => client,
            None => self.config.connect(NoTls).map_err(backend)?,
        };
        Ok(Conn {
            pool: self,
            client: Some(client),
        })
    }
}

/// A pooled connection; goes back to the pool on drop unless it is closed or discarded.
pub(crate) struct Conn<'a> {
    pool: &'a Pool,
    client: Option<Client>,
}

impl Conn<'_> {
    /// Drops the connection instead of returning it (its session state is unknown).
    pub(crate) fn discard(mut self) {
        self.client = None;
    }
}

impl Deref for Conn<'_> {
    type Target = Client;
    fn deref(&self) -> &Client {
        self.client
            .as_ref()
            .unwrap_or_else(|| unreachable!("taken only on drop"))
    }
}

impl DerefMut for Conn<'_> {
    fn deref_mut(&mut self) -> &mut Client {
        self.client
            .as_mut()
            .unwrap_or_else(|| unreachable!("taken only on drop"))
    }
}

impl Drop for Conn<'_> {
    fn drop(&mut self) {
        if let Some(client) = self.client.take()
            && !client.is_closed()
        {
            let mut idle = self.pool.idle.lock();
            if idle.len() < MAX_IDLE {
                idle.push(client);
            }
        }
    }
}

/// A database error as a typed queue error (SQLSTATE and message when the server sent one).
pub(crate) fn backend(error: postgres::Error) -> HitlError {
    HitlError::Backend(match error.as_db_error() {
        Some(db) => format!("{}: {}", db.code().code(), db.message()),
        None => error.to_string(),
    })
}
