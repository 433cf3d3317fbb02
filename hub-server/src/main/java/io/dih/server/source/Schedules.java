package io.dih.server.source;

import com.cronutils.model.Cron;
import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import io.dih.spi.InvalidSpecException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Optional;

/**
 * Cron schedules of periodic loads (seed 002 style), in UTC: five fields as Unix cron ({@code 0 * * * *}), or six
 * or seven with seconds as Quartz ({@code 0 0/5 * * * ?}).
 */
public final class Schedules {
    private static final CronParser UNIX = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));
    private static final CronParser QUARTZ = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.QUARTZ));

    private Schedules() {
    }

    public static ExecutionTime parse(String field, String expression) {
        String e = expression.trim();
        int fields = e.split("\\s+").length;
        try {
            Cron cron = fields == 5 ? UNIX.parse(e) : QUARTZ.parse(e);
            return ExecutionTime.forCron(cron.validate());
        } catch (IllegalArgumentException ex) {
            throw new InvalidSpecException(field, "'" + expression + "' is not a cron expression (5 fields, Unix; or 6-7 with seconds, "
                    + "Quartz): " + ex.getMessage());
        }
    }

    /** Whether a run is due: the last scheduled time is later than the last run's start. */
    public static boolean due(ExecutionTime schedule, long lastStartMillis, long nowMillis) {
        ZonedDateTime now = Instant.ofEpochMilli(nowMillis).atZone(ZoneOffset.UTC);
        Optional<ZonedDateTime> last = schedule.lastExecution(now);
        return last.isPresent() && last.get().toInstant().toEpochMilli() > lastStartMillis;
    }
}
