/** ClickHouse refused a query this collector sent: a defect, or a server the schema does not fit. The message carries the server's reason and the start of the query. */
export class ClickHouseQueryError extends Error {
  override name = 'ClickHouseQueryError';
}
