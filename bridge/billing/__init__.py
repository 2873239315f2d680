"""TV billing: SMS event import, the event list, invoicing onto LMS invoices, balance export and
the first customer-number synchronisation.  Plain functions over :class:`bridge.lms.db.Database`
and :class:`bridge.sms.client.SmsClient`, shared by the CLI, the API and cron."""
