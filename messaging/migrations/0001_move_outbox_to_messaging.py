"""The outbox and the sandbox move here from ``accounts``: their tables keep their
names, and their content types (so their permissions) follow them."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

MODELS = ["notification", "sandboxsms", "sandboxemail"]


def content_types_move(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.using(schema_editor.connection.alias).filter(
        app_label="accounts", model__in=MODELS
    ).update(app_label="messaging")


def content_types_return(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.using(schema_editor.connection.alias).filter(
        app_label="messaging", model__in=MODELS
    ).update(app_label="accounts")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ('accounts', '0009_name_search_indexes'),
        ('contenttypes', '0002_remove_content_type_name'),
    ]

    operations = [
        # The tables were created by ``accounts`` and keep their names.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='SandboxEmail',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('to', models.CharField(db_index=True, max_length=254, verbose_name='to')),
                        ('subject', models.CharField(max_length=250, verbose_name='subject')),
                        ('body', models.TextField(verbose_name='message')),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='received at')),
                    ],
                    options={
                        'verbose_name': 'sandbox e-mail',
                        'verbose_name_plural': 'sandbox e-mails',
                        'db_table': 'accounts_sandboxemail',
                        'ordering': ['-created_at', '-pk'],
                    },
                ),
                migrations.CreateModel(
                    name='SandboxSMS',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('to', models.CharField(db_index=True, max_length=16, verbose_name='to')),
                        ('body', models.TextField(verbose_name='message')),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='received at')),
                    ],
                    options={
                        'verbose_name': 'sandbox SMS',
                        'verbose_name_plural': 'sandbox SMS',
                        'db_table': 'accounts_sandboxsms',
                        'ordering': ['-created_at', '-pk'],
                    },
                ),
                migrations.CreateModel(
                    name='Notification',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('template', models.CharField(max_length=60, verbose_name='message template')),
                        ('language', models.CharField(choices=[('ar', 'Arabic'), ('en', 'English')], max_length=2, verbose_name='language')),
                        ('subject', models.CharField(max_length=200, verbose_name='title')),
                        ('body', models.TextField(verbose_name='message')),
                        ('sms', models.BooleanField(default=True, verbose_name='send by SMS')),
                        ('number', models.CharField(blank=True, max_length=12, verbose_name='mobile number')),
                        ('status', models.CharField(choices=[('queued', 'Queued'), ('sending', 'Sending'), ('sent', 'Sent'), ('delivered', 'Delivered'), ('failed', 'Failed')], default='queued', max_length=12, verbose_name='status')),
                        ('attempts', models.PositiveSmallIntegerField(default=0, verbose_name='attempts')),
                        ('next_attempt_at', models.DateTimeField(blank=True, null=True, verbose_name='next attempt at')),
                        ('attempt_started_at', models.DateTimeField(blank=True, null=True, verbose_name='attempt started at')),
                        ('provider_id', models.CharField(blank=True, max_length=64, verbose_name='provider message id')),
                        ('email', models.EmailField(blank=True, help_text='Empty when the message goes by SMS only.', max_length=254, verbose_name='email address')),
                        ('email_sent_at', models.DateTimeField(blank=True, null=True, verbose_name='email sent at')),
                        ('last_error', models.CharField(blank=True, max_length=300, verbose_name='last error')),
                        ('created_at', models.DateTimeField(db_index=True, default=django.utils.timezone.now, verbose_name='created at')),
                        ('sent_at', models.DateTimeField(blank=True, null=True, verbose_name='sent at')),
                        ('read_at', models.DateTimeField(blank=True, null=True, verbose_name='read at')),
                        ('person', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='notifications', to=settings.AUTH_USER_MODEL, verbose_name='person')),
                    ],
                    options={
                        'verbose_name': 'notification',
                        'verbose_name_plural': 'notifications',
                        'db_table': 'accounts_notification',
                        'ordering': ['-created_at', '-pk'],
                        'indexes': [models.Index(fields=['person', '-created_at'], name='accounts_no_person__f43510_idx'), models.Index(fields=['provider_id'], name='accounts_no_provide_fa4659_idx'), models.Index(condition=models.Q(('status__in', ['queued', 'sending'])), fields=['created_at'], name='notification_unsent')],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(content_types_move, content_types_return),
    ]
