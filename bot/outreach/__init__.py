"""Cross-channel outreach: the services that put something in front of people through the
outbox, whatever channel reaches each of them. The console, the CLI, chat handlers and the
schedule all call these; `storage` holds only the rows they read and write.

- `jobs`: post a job (or a sheet of them) and queue its pushes;
- `fairs`: fair reminders, and the notice when a fair is moved or cancelled;
- `rights`: tell a person that their 维权 case moved on;
- `courses`: remind people the day before their course;
- `broadcasts`: draft a staff broadcast, confirm it for its audience once, stop it;
- `consent`: send the consent code to someone registered by a relative or village staff.
"""
